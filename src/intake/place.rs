//! "Di mana": building, floor, room, unit, office, branch — as the reporter wrote it.

use super::doc::Doc;
use super::lexicon::Lexicon;
use super::normalize::Kind;

/// How a place word takes its name from the words after it.
#[derive(Clone, Copy, PartialEq)]
enum Takes {
    /// One number or ordinal: "lantai 3", "loket 2".
    Number,
    /// Up to n name words: "ruang rapat utama", "kecamatan Cibeunying Kaler".
    Name(usize),
    /// Meaningful alone, may take a name: "aula", "puskesmas Sukamaju".
    Alone(usize),
}

const HEADS: &[(&str, Takes)] = &[
    ("lantai", Takes::Number),
    ("loket", Takes::Alone(1)),
    ("gedung", Takes::Name(2)),
    ("ruang", Takes::Name(3)),
    ("ruangan", Takes::Name(3)),
    ("bagian", Takes::Name(3)),
    ("subbagian", Takes::Name(3)),
    ("bidang", Takes::Name(3)),
    ("subbidang", Takes::Name(3)),
    ("seksi", Takes::Name(3)),
    ("subbag", Takes::Name(3)),
    ("kasubbag", Takes::Name(3)),
    ("biro", Takes::Name(3)),
    ("divisi", Takes::Name(2)),
    ("sekretariat", Takes::Alone(3)),
    ("tu", Takes::Alone(0)),
    ("kantor", Takes::Name(3)),
    ("cabang", Takes::Name(2)),
    ("kecamatan", Takes::Name(2)),
    ("kelurahan", Takes::Name(2)),
    ("desa", Takes::Name(2)),
    ("distrik", Takes::Name(2)),
    ("nagari", Takes::Name(2)),
    ("kabupaten", Takes::Name(2)),
    ("puskesmas", Takes::Alone(2)),
    ("pustu", Takes::Alone(2)),
    ("upt", Takes::Alone(3)),
    ("uptd", Takes::Alone(3)),
    ("samsat", Takes::Alone(2)),
    ("rsud", Takes::Alone(2)),
    ("klinik", Takes::Alone(2)),
    ("sekolah", Takes::Name(2)),
    ("sd", Takes::Name(2)),
    ("smp", Takes::Name(2)),
    ("sma", Takes::Name(2)),
    ("smk", Takes::Name(2)),
    ("balai", Takes::Name(3)),
    ("dinas", Takes::Name(3)),
    ("badan", Takes::Name(3)),
    ("disdukcapil", Takes::Alone(1)),
    ("bapenda", Takes::Alone(1)),
    ("bappeda", Takes::Alone(1)),
    ("bkd", Takes::Alone(1)),
    ("bkpsdm", Takes::Alone(1)),
    ("inspektorat", Takes::Alone(1)),
    ("setda", Takes::Alone(1)),
    ("dprd", Takes::Alone(1)),
    ("aula", Takes::Alone(2)),
    ("lobby", Takes::Alone(1)),
    ("lobi", Takes::Alone(1)),
    ("gudang", Takes::Alone(2)),
    ("perpustakaan", Takes::Alone(2)),
    ("lab", Takes::Alone(2)),
    ("laboratorium", Takes::Alone(2)),
    ("pendopo", Takes::Alone(1)),
    ("mpp", Takes::Alone(1)),
    ("posko", Takes::Alone(1)),
    ("meja", Takes::Name(2)),
];

/// Words that continue a place's name though they are ordinary words.
const NAME_WORDS: &[&str] = &[
    "rapat",
    "server",
    "kepala",
    "kadis",
    "sekretaris",
    "tata",
    "usaha",
    "umum",
    "keuangan",
    "kepegawaian",
    "pelayanan",
    "utama",
    "pusat",
    "arsip",
    "operator",
    "pimpinan",
    "sekda",
    "bupati",
    "walikota",
    "camat",
    "lurah",
    "pertemuan",
    "tamu",
    "tunggu",
    "kerja",
    "staf",
    "teknis",
    "anggaran",
    "perencanaan",
    "program",
    "sidang",
    "paripurna",
    "komisi",
    "informasi",
    "pengaduan",
    "depan",
    "belakang",
    "atas",
    "bawah",
    "dasar",
    "timur",
    "barat",
    "utara",
    "selatan",
    "tengah",
    "baru",
    "lama",
    "kesehatan",
    "pendidikan",
    "pertanian",
    "perhubungan",
    "sosial",
    "lingkungan",
    "pariwisata",
    "kependudukan",
    "pencatatan",
    "sipil",
    "pendapatan",
    "daerah",
    "aset",
    "pengadaan",
    "hukum",
    "organisasi",
    "protokol",
    "humas",
    "komunikasi",
    "informatika",
    "statistik",
    "persandian",
    "kearsipan",
    "perpustakaan",
    "induk",
    "pembantu",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "kota",
    "kabupaten",
    "provinsi",
    "kecamatan",
    "cabang",
    "kelurahan",
    "desa",
    "samsat",
    "puskesmas",
    "pelatihan",
    "diklat",
    "ruang",
    "ruangan",
    "bidang",
    "bagian",
    "dinas",
    "badan",
    "sekretariat",
    "command",
    "center",
];

/// Ordinals after "lantai".
const ORDINALS: &[&str] = &[
    "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "dasar", "atas",
    "bawah", "basement", "pertama", "kedua", "ketiga", "keempat", "kelima",
];

const POSSESSIVES: &[&str] = &["saya", "kami", "kita"];

/// All place words, for typo correction.
pub fn vocabulary() -> impl Iterator<Item = &'static str> {
    HEADS.iter().map(|(w, _)| *w).chain(NAME_WORDS.iter().copied())
}

fn head(doc: &Doc, i: usize) -> Option<Takes> {
    HEADS.iter().find(|(w, _)| doc.is(i, w)).map(|(_, t)| *t)
}

/// A word that can be part of a place's name.
fn name_word(doc: &Doc, i: usize, lex: &Lexicon) -> bool {
    let t = &doc.tokens[i];
    match t.kind {
        Kind::Number => true,
        Kind::Clock | Kind::Date => false,
        Kind::Word => {
            let raw = &doc.text[t.start..t.end];
            let single_letter = raw.chars().count() == 1 && raw.chars().all(|c| c.is_ascii_alphabetic());
            NAME_WORDS.contains(&t.norm.as_str())
                || single_letter
                || (t.cap && !lex.is_known(&t.norm))
                || (!lex.is_known(&t.norm) && t.norm.chars().count() >= 4)
                || raw.chars().count() >= 2 && raw.chars().all(|c| c.is_uppercase())
        }
    }
}

/// The place phrase starting at head `i`: its last token.
fn extent(doc: &Doc, i: usize, takes: Takes, lex: &Lexicon) -> Option<usize> {
    let clause = doc.tokens[i].clause;
    let next_ok = |j: usize| j < doc.len() && doc.tokens[j].clause == clause;
    match takes {
        Takes::Number => {
            let j = i + 1;
            (next_ok(j) && (doc.tokens[j].kind == Kind::Number || ORDINALS.contains(&doc.tokens[j].norm.as_str())))
                .then_some(j)
        }
        Takes::Name(n) | Takes::Alone(n) => {
            let mut last = i;
            let mut j = i + 1;
            while j <= i + n && next_ok(j) {
                if POSSESSIVES.contains(&doc.tokens[j].norm.as_str()) && j == i + 1 {
                    last = j;
                    break;
                }
                if head(doc, j).is_some() && j > i + 1 {
                    break;
                }
                if !name_word(doc, j, lex) {
                    break;
                }
                last = j;
                j += 1;
            }
            match takes {
                Takes::Name(_) if last == i => None,
                _ => Some(last),
            }
        }
    }
}

/// The place the message names, as written, with its token range.
pub fn extract(doc: &Doc, lex: &Lexicon) -> Option<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < doc.len() {
        if let Some(takes) = head(doc, i) {
            if let Some(end) = extent(doc, i, takes, lex) {
                spans.push((i, end));
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    // Adjacent pieces form one place: "ruang rapat" + "lantai 3", "gedung B, lantai 2".
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for (a, b) in spans {
        match groups.last_mut() {
            Some(g) if a <= g.1 + 2 && (a == g.1 + 1 || doc.is_any(g.1 + 1, &["di", "dan"])) => g.1 = b,
            _ => groups.push((a, b)),
        }
    }
    groups.into_iter().max_by_key(|&(a, b)| (b - a, std::cmp::Reverse(a)))
}

/// Places within a building or unit: trouble there hits a group.
const ROOMS: &[&str] = &[
    "ruang",
    "ruangan",
    "lantai",
    "bagian",
    "subbagian",
    "subbag",
    "bidang",
    "subbidang",
    "seksi",
    "aula",
    "lobby",
    "lobi",
    "loket",
    "tu",
    "meja",
    "lab",
    "laboratorium",
    "perpustakaan",
    "gudang",
    "divisi",
    "biro",
];
/// Whole sites: trouble there hits everyone in them.
const SITES: &[&str] = &[
    "gedung",
    "kantor",
    "cabang",
    "kecamatan",
    "kelurahan",
    "desa",
    "puskesmas",
    "pustu",
    "upt",
    "uptd",
    "samsat",
    "rsud",
    "klinik",
    "sekolah",
    "dinas",
    "badan",
    "balai",
    "disdukcapil",
    "bapenda",
    "bappeda",
    "bkd",
    "bkpsdm",
    "inspektorat",
    "setda",
    "dprd",
    "mpp",
    "kabupaten",
];

/// How many a place holds: a room or unit is a group, a site is many.
pub fn size(doc: &Doc, (a, b): (usize, usize)) -> Option<crate::domain::Scope> {
    use crate::domain::Scope;
    let heads = (a..=b).filter(|&i| head(doc, i).is_some());
    let mut best = None;
    for i in heads {
        if doc.is_any(i, SITES) {
            return Some(Scope::Mass);
        }
        if doc.is_any(i, ROOMS) {
            best = Some(Scope::Group);
        }
    }
    best
}
