//! Odd input never panics, and every conversation state survives being stored.
//!
//! A deterministic pseudo-random walk (fixed seed, no extra crates): thousands of odd
//! messages through the reader, and random conversations through the engine.

use chrono::{TimeZone, Utc};
use sigap::domain::{Attachment, Channel, Content, Inbound, PriorityPolicy};
use sigap::intake::{Ctx, Profile, State, step};
use sigap::knowledge::Knowledge;

/// xorshift64*: enough randomness for a reproducible walk.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const PIECES: &[&str] = &[
    "wifi",
    "mati",
    "gk",
    "bisa",
    "konek",
    "lt.",
    "3",
    "lantai",
    "ruang",
    "rapat",
    "jam",
    "9",
    "07.30",
    "sejak",
    "kemarin",
    "sore",
    "tadi",
    "pagi",
    "semua",
    "saya",
    "printer",
    "SIMPEG",
    "e-",
    "Kinerja",
    "lupa",
    "pasword",
    "tgl",
    "15/11",
    "2",
    "file2",
    "lemooot",
    "😭",
    "🙏",
    "…",
    "''",
    "\"",
    "'",
    "-",
    "/",
    ".",
    ",",
    "?",
    "!",
    "\n",
    "\t",
    "  ",
    "ñ",
    "ß",
    "漢字",
    "\u{200b}",
    "\u{0}",
    "<b>",
    "</script>",
    "'; DROP TABLE x; --",
    "%s",
    "{$x}",
    "/status",
    "/batal",
    "/lapor",
    "/x",
    "@",
    "#",
    "99999999999999999999",
    "0:00",
    "24:60",
    "1/2/3/4",
    "se-",
    "di",
    "dan",
    "tapi",
    "sudah",
    "restart",
    "habis",
    "update",
    "muncul",
    "tulisan",
    "error",
    "500",
    "kec.",
    "Puskesmas",
    "Sukamaju",
    "loket",
    "antrian",
    "warga",
    "tidak",
    "ada",
    "internet",
    "sama",
    "sekali",
];

fn message(r: &mut Rng) -> String {
    if r.below(10) == 0 {
        // raw noise, valid UTF-8
        let n = r.below(40);
        return (0..n).filter_map(|_| char::from_u32(r.below(0x3000) as u32)).collect();
    }
    let n = r.below(25);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(r.pick(PIECES));
        if r.below(3) > 0 {
            s.push(' ');
        }
    }
    s
}

#[test]
fn odd_messages_never_panic_the_reader() {
    let k = Knowledge::embedded().unwrap();
    let policy = PriorityPolicy::default();
    let now = Utc::now();
    let mut r = Rng(0x5EED_1234_ABCD_0001);
    for _ in 0..2500 {
        let m = message(&mut r);
        let line = sigap::analyze::analyze(&m, &k, &policy, chrono_tz::Asia::Jakarta, now);
        assert!(line.confidence >= 0.0 && line.confidence <= 1.0);
        serde_json::to_string(&line).unwrap();
    }
    let huge = "wifi mati. ".repeat(5000) + &"x".repeat(50_000);
    sigap::analyze::analyze(&huge, &k, &policy, chrono_tz::Asia::Jakarta, now);
}

#[test]
fn random_conversations_never_panic_and_states_round_trip() {
    let k = Knowledge::embedded().unwrap();
    let policy = PriorityPolicy::default();
    let buttons = [
        "c:yes",
        "c:edit",
        "c:no",
        "u:stop",
        "u:part",
        "u:minor",
        "w:me",
        "w:some",
        "w:unit",
        "w:public",
        "t:now",
        "t:today",
        "t:yesterday",
        "t:older",
        "t:unknown",
        "x:skip",
        "e:what",
        "e:where",
        "e:when",
        "e:who",
        "e:how",
        "e:cat",
        "k:jaringan",
        "k:lainnya",
        "k:nonexistent",
        "s:internet-mati",
        "s:none",
        "s:bogus",
        "",
        ":",
        "c:",
        "zzz",
    ];
    let mut r = Rng(0xC0FF_EE00_0000_0042);
    let mut tickets = 0;
    for conversation in 0..150 {
        let profile = if conversation % 2 == 0 {
            Profile::default()
        } else {
            Profile {
                name: Some("Ani".into()),
                unit: Some("TU".into()),
            }
        };
        let mut state = State::Idle;
        for turn in 0..20 {
            let now = chrono_tz::Asia::Jakarta
                .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
                .unwrap()
                .with_timezone(&Utc)
                + chrono::Duration::minutes(turn);
            let content = match r.below(10) {
                0..=4 => Content::Text { text: message(&mut r) },
                5 | 6 => Content::Choice {
                    id: r.pick(&buttons).to_owned(),
                },
                7 => Content::Media {
                    attachment: Attachment {
                        kind: "photo".into(),
                        file_id: format!("f{turn}"),
                        file_name: None,
                        mime_type: None,
                    },
                    caption: (r.below(2) == 0).then(|| message(&mut r)),
                },
                8 => Content::Location {
                    latitude: -6.9,
                    longitude: 107.6,
                    label: None,
                },
                _ => Content::Unsupported { what: "sticker".into() },
            };
            let ctx = Ctx::new(&k, &policy, chrono_tz::Asia::Jakarta, now, &profile);
            let m = Inbound {
                channel: Channel::Terminal,
                message_id: format!("{conversation}-{turn}"),
                chat_id: "c".into(),
                sender_id: "c".into(),
                sender_name: None,
                received_at: now,
                content,
                pressed: None,
            };
            let (next, replies, effects) = step(state, &m, &ctx);
            assert!(
                !replies.is_empty() || !effects.is_empty(),
                "every message gets an answer: {m:?}"
            );
            tickets += effects
                .iter()
                .filter(|e| matches!(e, sigap::intake::Effect::CreateTicket(_)))
                .count();
            let stored = serde_json::to_value(&next).unwrap();
            let back: State = serde_json::from_value(stored).unwrap();
            assert_eq!(back, next, "state survives the database");
            state = back;
        }
    }
    assert!(tickets > 0, "the walk reached some confirmations");
}
