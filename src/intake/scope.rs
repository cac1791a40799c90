//! "Siapa yang terdampak": one person, a group, or many units — and the words that said so.

use super::doc::Doc;
use crate::domain::Scope;

/// Units so large that "all of them" or "one whole" is a mass outage.
const BIG: &[&str] = &[
    "opd",
    "dinas",
    "instansi",
    "kantor",
    "gedung",
    "pegawai",
    "asn",
    "karyawan",
    "pengguna",
    "unit",
    "kecamatan",
    "kelurahan",
    "desa",
    "puskesmas",
    "cabang",
    "sekolah",
    "wilayah",
    "kabupaten",
    "kota",
    "provinsi",
    "layanan",
    "loket",
    "upt",
    "uptd",
    "skpd",
    "bidang",
    "bagian",
    "lantai",
    "perangkat",
    "satker",
    "kantor",
    "pemda",
    "pemkab",
    "pemkot",
    "rumah",
    "samsat",
];
/// Groups of people or things that make "all of them" a group.
const SMALL: &[&str] = &[
    "ruangan",
    "ruang",
    "peserta",
    "orang",
    "teman",
    "rekan",
    "staf",
    "staff",
    "komputer",
    "laptop",
    "meja",
    "seksi",
    "tim",
    "subbagian",
    "tamu",
    "printer",
    "pc",
    "user",
    "kawan",
    "anggota",
];
/// Units for which "one whole X" ("satu ruangan") is a group.
const ONE_GROUP: &[&str] = &[
    "ruangan",
    "ruang",
    "bidang",
    "bagian",
    "lantai",
    "seksi",
    "tim",
    "subbagian",
    "divisi",
];
/// Units for which "one whole X" ("satu kantor") is a mass outage.
const ONE_MASS: &[&str] = &[
    "kantor",
    "gedung",
    "opd",
    "dinas",
    "instansi",
    "puskesmas",
    "kecamatan",
    "kelurahan",
];
/// People and devices counted in a group: "3 orang", "5 komputer".
const COUNTED: &[&str] = &[
    "orang", "pegawai", "komputer", "laptop", "user", "pengguna", "staf", "unit", "ruangan", "loket", "petugas",
];
/// Sites counted: "12 kelurahan", "4 puskesmas" are many.
const COUNTED_SITES: &[&str] = &[
    "opd",
    "kantor",
    "puskesmas",
    "kecamatan",
    "kelurahan",
    "desa",
    "sekolah",
    "cabang",
    "dinas",
    "upt",
    "uptd",
];
/// Things a person owns: "laptop saya" is one person's problem.
const OWNED: &[&str] = &[
    "komputer",
    "laptop",
    "akun",
    "email",
    "password",
    "hp",
    "printer",
    "monitor",
    "keyboard",
    "mouse",
    "pc",
    "cpu",
    "flashdisk",
    "file",
    "data",
    "sertifikat",
    "username",
    "user",
    "meja",
];
/// One word forms: "sekantor", "seruangan".
const SE_MASS: &[&str] = &[
    "sekantor",
    "segedung",
    "sekabupaten",
    "sekota",
    "seprovinsi",
    "seinstansi",
    "sedinas",
];
const SE_GROUP: &[&str] = &["seruangan", "selantai", "sebidang", "sebagian"];

/// Scope words, for typo correction.
pub fn vocabulary() -> impl Iterator<Item = &'static str> {
    BIG.iter()
        .chain(SMALL)
        .chain(OWNED)
        .copied()
        .chain(["semua", "seluruh", "beberapa"])
}

#[derive(Debug, Clone, PartialEq)]
pub struct Affected {
    pub scope: Scope,
    pub first: usize,
    pub last: usize,
}

fn n_people(doc: &Doc, i: usize) -> Option<u32> {
    let t = doc.tokens.get(i)?;
    t.number().or_else(|| {
        [
            ("dua", 2),
            ("tiga", 3),
            ("empat", 4),
            ("lima", 5),
            ("enam", 6),
            ("puluhan", 20),
            ("ratusan", 100),
        ]
        .iter()
        .find(|(w, _)| t.norm == *w)
        .map(|(_, n)| *n)
    })
}

/// The widest scope the message states.
pub fn extract(doc: &Doc) -> Option<Affected> {
    let mut best: Option<Affected> = None;
    let mut offer = |scope: Scope, first: usize, last: usize| {
        let rank = |s: Scope| match s {
            Scope::Mass => 3,
            Scope::Group => 2,
            Scope::Individual => 1,
            Scope::Unknown => 0,
        };
        if best.as_ref().is_none_or(|b| rank(scope) > rank(b.scope)) {
            best = Some(Affected { scope, first, last });
        }
    };
    let n = doc.len();
    for i in 0..n {
        let near = |k: usize| (i + 1..=(i + k).min(n.saturating_sub(1))).filter(move |&j| doc.same_clause(i, j));
        if doc.is_any(i, &["semua", "seluruh", "segenap"]) {
            let mut matched = false;
            for j in near(3) {
                if doc.is_any(j, BIG) {
                    offer(Scope::Mass, i, j);
                    matched = true;
                    break;
                }
                if doc.is_any(j, SMALL) {
                    // "semua komputer di kantor": the place decides
                    let wider = near(6).filter(|&k| k > j).find(|&k| doc.is_any(k, ONE_MASS));
                    // "semua peserta rapat": the group's name runs on
                    let end = if doc.is_any(j + 1, &["rapat", "pelatihan", "kegiatan"]) && doc.same_clause(j, j + 1) {
                        j + 1
                    } else {
                        j
                    };
                    match wider {
                        Some(k) => offer(Scope::Mass, i, k),
                        None => offer(Scope::Group, i, end),
                    }
                    matched = true;
                    break;
                }
            }
            // "semua tidak bisa": everyone around; "hilang semua" is about things.
            if !matched && doc.is_any(i + 1, &["tidak", "pada", "kena", "terdampak", "mengalami", "orang"]) {
                offer(Scope::Group, i, i);
            }
        } else if doc.is_any(i, &["satu", "1", "sa"]) {
            if let Some(j) = near(1).next() {
                if doc.is_any(j, ONE_MASS) {
                    offer(Scope::Mass, i, j);
                } else if doc.is_any(j, ONE_GROUP) {
                    offer(Scope::Group, i, j);
                }
            }
        } else if doc.is_any(i, SE_MASS) {
            offer(Scope::Mass, i, i);
        } else if doc.is_any(i, SE_GROUP) && !doc.is(i, "sebagian") {
            offer(Scope::Group, i, i);
        } else if doc.is_any(i, &["beberapa", "banyak", "para"]) {
            if let Some(j) = near(2).find(|&j| doc.is_any(j, BIG) || doc.is_any(j, SMALL)) {
                let scope = if doc.is_any(
                    j,
                    &[
                        "opd",
                        "dinas",
                        "instansi",
                        "kantor",
                        "puskesmas",
                        "kecamatan",
                        "cabang",
                        "unit",
                    ],
                ) {
                    Scope::Mass
                } else {
                    Scope::Group
                };
                offer(scope, i, j);
            }
        } else if let Some(k) = n_people(doc, i).filter(|&k| k >= 2) {
            // "3 orang", "5 komputer": a group; "12 kelurahan", "4 puskesmas": many sites.
            if let Some(j) = near(1).find(|&j| doc.is_any(j, COUNTED) || doc.is_any(j, COUNTED_SITES)) {
                let mass = doc.is_any(j, COUNTED_SITES) || k >= 20;
                offer(if mass { Scope::Mass } else { Scope::Group }, i, j);
            }
        } else if doc.is_any(i, &["komputer", "laptop", "printer", "pegawai", "orang"])
            && doc.is(i + 1, &doc.tokens[i].norm)
        {
            // "komputer-komputer di lab": several of them.
            offer(Scope::Group, i, i + 1);
        } else if doc.is_any(i, &["kami", "kita"]) {
            offer(Scope::Group, i, i);
        } else if doc.is_any(i, &["teman", "rekan", "kawan"]) && doc.is(i + 1, &doc.tokens[i].norm) {
            offer(Scope::Group, i, i + 1);
        } else if doc.is(i, "peserta") {
            offer(Scope::Group, i, if doc.is(i + 1, "rapat") { i + 1 } else { i });
        } else if doc.is(i, "saya") {
            let mine = i > 0
                && doc.same_clause(i - 1, i)
                && (doc.is_any(i - 1, OWNED) || doc.is_any(i - 1, &["hanya", "cuma", "punya", "milik"]));
            if mine {
                offer(Scope::Individual, i - 1, i);
            } else if doc.is_any(i + 1, &["saja", "sendiri"]) {
                offer(Scope::Individual, i, i + 1);
            } else {
                // "saya" in a report: the reporter's own problem, unless a group is named.
                offer(Scope::Individual, i, i);
            }
        } else if doc.is_any(i, &["komputer", "laptop", "pc"]) && doc.is_any(i + 1, &["ku", "sy"]) {
            offer(Scope::Individual, i, i + 1);
        }
    }
    best
}
