//! Urgency and impact cues: what the reporter's words settle about how bad it is.

use super::doc::{Doc, Phrases};
use crate::domain::Level;

/// Still usable: urgency rendah.
static LOW: Phrases = Phrases::new(&[
    // not a bare "masih bisa": "barusan masih bisa" means it worked until just now
    "masih bisa dipakai",
    "masih bisa dipakai kerja",
    "masih bisa kerja",
    "masih bisa dibaca",
    "masih bisa digunakan",
    "masih jalan",
    "tidak mendesak",
    "tidak terlalu mendesak",
    "tidak buru",
    "tidak urgent",
    "kalau sempat",
    "santai saja",
    "tidak apa apa",
    "tidak begitu mengganggu",
    "tidak terlalu mengganggu",
]);
/// Usable in a limited way, or on and off: urgency menengah.
static MEDIUM: Phrases = Phrases::new(&[
    "kadang",
    "sering",
    "putus putus",
    "lambat",
    "tidak stabil",
    "sebagian",
    "hanya bisa",
    "terbatas",
    "sesekali",
    "kadang bisa",
    "agak",
    "lama sekali",
    "loading lama",
]);
/// Cannot be used at all, or the service stopped: urgency tinggi.
static HIGH: Phrases = Phrases::new(&[
    "sama sekali",
    "total",
    "mati",
    "terhenti",
    "berhenti",
    "lumpuh",
    "tidak berfungsi",
    "tidak bisa",
    "tidak dapat",
    "tidak mau",
    "tidak nyala",
    "tidak ada",
    "blue screen",
    "gagal",
    "hang",
    "macet",
    "tidak jalan",
    "tidak bisa kerja",
    "tidak bisa bekerja",
    "mendesak",
    "darurat",
    "error",
]);
/// The public is waiting: impact tinggi whatever the scope.
static PUBLIC: Phrases = Phrases::new(&[
    "pelayanan terhenti",
    "pelayanan berhenti",
    "pelayanan terganggu",
    "pelayanan tidak bisa",
    "pelayanan lumpuh",
    "pelayanan tutup",
    "layanan terhenti",
    "layanan publik",
    "pelayanan publik",
    "warga menunggu",
    "masyarakat menunggu",
    "pemohon menunggu",
    "pasien menunggu",
    "semua loket",
    "loket pelayanan",
    "tidak bisa melayani",
    "warga",
    "masyarakat",
    "pasien",
]);

/// A queue of people waiting, unless it is a print queue.
static QUEUE: Phrases = Phrases::new(&["antrian", "antrean"]);
static PRINTING: Phrases = Phrases::new(&["printer", "print", "cetak", "mencetak", "ngeprint", "dokumen", "scan"]);

/// Words that settle urgency whatever the service: stated, not implied.
static EXPLICIT_HIGH: Phrases = Phrases::new(&[
    "sama sekali",
    "mendesak",
    "darurat",
    "tidak bisa kerja",
    "tidak bisa bekerja",
    "terhenti",
    "deadline",
    "harus hari ini",
    "hari ini harus",
    "sangat penting",
]);

pub fn vocabulary() -> impl Iterator<Item = &'static str> {
    [&LOW, &MEDIUM, &HIGH, &PUBLIC, &QUEUE, &PRINTING, &EXPLICIT_HIGH]
        .into_iter()
        .flat_map(|p| p.source().iter().copied())
}

fn any(doc: &Doc, list: &Phrases) -> bool {
    list.in_doc(doc, 1)
}

/// What the words say about urgency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UrgencyCues {
    /// Said outright: "tidak mendesak", "sama sekali", "tidak bisa kerja".
    pub explicit: Option<Level>,
    /// On and off, slow, partly: usable in a limited way.
    pub limited: bool,
    /// Dead, down, cannot: not usable at all.
    pub outage: bool,
}

impl UrgencyCues {
    /// The level the words alone give: stated, else limited use, else outage.
    pub fn level(&self) -> Option<Level> {
        self.explicit
            .or(self.limited.then_some(Level::Menengah))
            .or(self.outage.then_some(Level::Tinggi))
    }
}

pub fn urgency(doc: &Doc) -> UrgencyCues {
    UrgencyCues {
        explicit: explicit_urgency(doc),
        limited: any(doc, &MEDIUM),
        outage: any(doc, &HIGH),
    }
}

/// Urgency stated outright (for requests, whose outage words say little).
pub fn explicit_urgency(doc: &Doc) -> Option<Level> {
    if any(doc, &LOW) {
        Some(Level::Rendah)
    } else if any(doc, &EXPLICIT_HIGH) || needed_today(doc) {
        Some(Level::Tinggi)
    } else {
        None
    }
}

/// "butuh kirim laporan ke kementerian hari ini": a need with today's deadline.
fn needed_today(doc: &Doc) -> bool {
    TODAY.get().iter().flat_map(|t| doc.find(t, 0)).any(|(a, _)| {
        (0..a).any(|j| doc.same_clause(j, a) && doc.is_any(j, &["butuh", "perlu", "harus", "mohon", "deadline"]))
    })
}

static TODAY: Phrases = Phrases::new(&["hari ini"]);

/// Impact from words about the public service (scope adds its own).
pub fn public_service(doc: &Doc) -> bool {
    any(doc, &PUBLIC) || (any(doc, &QUEUE) && !any(doc, &PRINTING))
}
