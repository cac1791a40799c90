//! The buttons the engine offers, and reading a typed answer as one of them.

use super::Ctx;
use super::normalize;
use super::reply::Choice;
use crate::domain::catalog::name;
use crate::i18n::{Arg, Msg};

pub const CONFIRM_YES: &str = "c:yes";
pub const CONFIRM_EDIT: &str = "c:edit";
pub const CONFIRM_CANCEL: &str = "c:no";

/// Typed words that mean a button, in normal form (after slang: "gk jadi" → "tidak jadi").
fn synonyms(id: &str) -> &'static [&'static str] {
    match id {
        CONFIRM_YES => &[
            "benar",
            "ya",
            "iya",
            "y",
            "oke",
            "betul",
            "sudah benar",
            "setuju",
            "lanjut",
            "kirim",
            "yes",
            "ya benar",
            "benar sekali",
            "buat",
            "buat tiket",
            "sudah",
            "sesuai",
            "yup",
            "yap",
            "ok",
        ],
        CONFIRM_EDIT => &[
            "ubah",
            "ganti",
            "edit",
            "salah",
            "koreksi",
            "perbaiki",
            "revisi",
            "change",
            "tidak benar",
            "belum benar",
            "ada yang salah",
            "ralat",
            "bukan",
        ],
        CONFIRM_CANCEL => &[
            "batal",
            "batalkan",
            "tidak jadi",
            "cancel",
            "hapus",
            "stop",
            "tidak usah",
            "gak jadi",
            "no",
        ],
        "u:stop" => &[
            "ya",
            "iya",
            "y",
            "terhenti",
            "berhenti",
            "sama sekali",
            "total",
            "tidak bisa kerja",
            "tidak bisa bekerja",
            "ya terhenti",
            "yes",
            "terhenti sama sekali",
            "tidak bisa apa apa",
        ],
        "u:part" => &[
            "sebagian",
            "sedikit",
            "sebagian masih bisa",
            "kadang",
            "masih bisa sebagian",
            "setengah",
        ],
        "u:minor" => &[
            "tidak",
            "masih bisa",
            "tidak terhenti",
            "cuma terganggu",
            "hanya terganggu",
            "terganggu",
            "no",
            "belum",
            "tidak juga",
            "masih bisa kerja",
        ],
        "w:me" => &[
            "saya",
            "hanya saya",
            "saya saja",
            "saya sendiri",
            "sendiri",
            "1 orang",
            "satu orang",
            "cuma saya",
        ],
        "w:some" => &[
            "beberapa",
            "beberapa orang",
            "satu ruangan",
            "kami",
            "ruangan",
            "satu bidang",
            "satu bagian",
        ],
        "w:unit" => &[
            "satu kantor",
            "semua",
            "seluruh",
            "banyak",
            "satu gedung",
            "semua orang",
            "banyak unit",
            "semua pegawai",
            "seluruh kantor",
            "sekantor",
        ],
        "w:public" => &[
            "pelayanan",
            "masyarakat",
            "warga",
            "publik",
            "pelayanan publik",
            "loket",
            "pelayanan terhenti",
        ],
        "t:now" => &["baru saja", "barusan", "baru", "sekarang", "tadi"],
        "t:today" => &["hari ini", "tadi pagi", "pagi", "sejak pagi", "dari pagi"],
        "t:yesterday" => &["kemarin", "sejak kemarin", "dari kemarin"],
        "t:older" => &["lebih lama", "sudah lama", "lama", "lebih dari 2 hari", "berhari hari"],
        "t:unknown" | "x:skip" => &[
            "tidak tahu",
            "tidak tau",
            "entah",
            "lupa",
            "skip",
            "lewati",
            "lewat",
            "tidak ada",
            "-",
        ],
        "kb:yes" => &[
            "berhasil",
            "sudah berhasil",
            "bisa",
            "sudah bisa",
            "beres",
            "sudah beres",
            "masalah selesai",
            "selesai",
            "sudah normal",
        ],
        "kb:no" => &[
            "belum",
            "belum berhasil",
            "tidak berhasil",
            "buat tiket",
            "gagal",
            "sama saja",
            "tetap sama",
        ],
        "kb:more" => &["cara lain", "panduan lain", "coba lain", "yang lain", "lain"],
        "e:what" => &["masalah", "masalahnya", "apa", "keluhan"],
        "e:where" => &["lokasi", "tempat", "di mana", "lokasinya"],
        "e:when" => &["waktu", "kapan", "sejak kapan", "waktunya"],
        "e:who" => &["terdampak", "siapa", "yang terdampak", "dampak"],
        "e:how" => &["tingkat", "urgensi", "gangguan", "tingkat gangguan", "seberapa parah"],
        "e:cat" => &["kategori", "layanan", "jenis", "jenis masalah"],
        _ => &[],
    }
}

/// Words that turn "ya" into "ya, tapi …": not a plain yes.
const CONTRAST: &[&str] = &["tapi", "tetapi", "namun", "salah", "kecuali", "bukan", "ubah", "ganti"];

fn norm(text: &str, ctx: &Ctx) -> Vec<String> {
    normalize::tokenize(text, &ctx.understanding.lexicon)
        .into_iter()
        .map(|t| t.norm)
        .filter(|w| {
            !matches!(
                w.as_str(),
                "admin" | "pak" | "bu" | "mas" | "mbak" | "kak" | "dong" | "deh" | "sih" | "nih"
            )
        })
        .collect()
}

/// The button a typed answer means, if it clearly means one.
pub fn match_typed(text: &str, choices: &[Choice], ctx: &Ctx) -> Option<String> {
    let words = norm(text, ctx);
    if words.is_empty() {
        return None;
    }
    if let [n] = words.as_slice() {
        if let Ok(k) = n.parse::<usize>() {
            return choices.get(k.checked_sub(1)?).map(|c| c.id.clone());
        }
    }
    let mut best: Option<(usize, &Choice)> = None;
    for c in choices {
        for syn in labels(c, ctx) {
            let syn_words = norm(&syn, ctx);
            if syn_words.is_empty() {
                continue;
            }
            let exact = words == syn_words;
            let prefix = words.len() > syn_words.len()
                && words.len() <= syn_words.len() + 3
                && words.starts_with(&syn_words)
                && !words[syn_words.len()..]
                    .iter()
                    .any(|w| CONTRAST.contains(&w.as_str()) || w == "tidak");
            if exact || prefix {
                let score = syn_words.len() * 2 + usize::from(exact);
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, c));
                }
            }
        }
    }
    best.map(|(_, c)| c.id.clone())
}

/// What a person might type for a button: its synonyms, or a catalogue name.
fn labels(c: &Choice, ctx: &Ctx) -> Vec<String> {
    let mut out: Vec<String> = synonyms(&c.id).iter().map(|s| (*s).to_owned()).collect();
    let names = if let Some(slug) = c.id.strip_prefix("k:") {
        ctx.catalog.category(slug).map(|c| &c.names)
    } else if let Some(slug) = c.id.strip_prefix("s:") {
        ctx.catalog.service(slug).map(|s| &s.names)
    } else {
        None
    };
    if let Some(names) = names {
        out.extend(names.values().cloned());
        out.push(name(names, "id").to_owned());
    }
    out
}

pub fn confirm() -> Vec<Choice> {
    vec![
        Choice::key(CONFIRM_YES, "choice-confirm-yes"),
        Choice::key(CONFIRM_EDIT, "choice-confirm-edit"),
        Choice::key(CONFIRM_CANCEL, "choice-confirm-cancel"),
    ]
}

pub fn urgency() -> Vec<Choice> {
    vec![
        Choice::key("u:stop", "choice-urgency-stopped"),
        Choice::key("u:part", "choice-urgency-partly"),
        Choice::key("u:minor", "choice-urgency-minor"),
    ]
}

pub fn impact() -> Vec<Choice> {
    vec![
        Choice::key("w:me", "choice-impact-me"),
        Choice::key("w:some", "choice-impact-some"),
        Choice::key("w:unit", "choice-impact-unit"),
        Choice::key("w:public", "choice-impact-public"),
    ]
}

pub fn when() -> Vec<Choice> {
    vec![
        Choice::key("t:now", "choice-when-now"),
        Choice::key("t:today", "choice-when-today"),
        Choice::key("t:yesterday", "choice-when-yesterday"),
        Choice::key("t:older", "choice-when-older"),
        Choice::key("t:unknown", "choice-when-unknown"),
    ]
}

pub fn skip() -> Vec<Choice> {
    vec![Choice::key("x:skip", "choice-skip")]
}

pub fn change(is_incident: bool) -> Vec<Choice> {
    let mut v = vec![
        Choice::key("e:what", "choice-change-what"),
        Choice::key("e:cat", "choice-change-category"),
        Choice::key("e:where", "choice-change-where"),
    ];
    if is_incident {
        v.push(Choice::key("e:when", "choice-change-when"));
        v.push(Choice::key("e:who", "choice-change-who"));
        v.push(Choice::key("e:how", "choice-change-how"));
    } else {
        v.push(Choice::key("e:who", "choice-change-who"));
    }
    v
}

pub fn categories(ctx: &Ctx) -> Vec<Choice> {
    ctx.catalog
        .categories
        .iter()
        .map(|c| {
            Choice::new(
                format!("k:{}", c.slug),
                Msg::new("choice-name").arg("name", Arg::Category(c.slug.clone())),
            )
        })
        .collect()
}

pub fn services(category: &str, ctx: &Ctx) -> Vec<Choice> {
    let mut v: Vec<Choice> = ctx
        .catalog
        .services_in(category)
        .map(|s| {
            Choice::new(
                format!("s:{}", s.slug),
                Msg::new("choice-name").arg("name", Arg::Service(s.slug.clone())),
            )
        })
        .collect();
    v.push(Choice::key("s:none", "choice-service-other"));
    v
}
