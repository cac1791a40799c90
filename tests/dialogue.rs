//! The conversation engine alone: pure, no database. Each test drives `intake::step`.

use chrono::{DateTime, TimeZone, Utc};
use sigap::domain::{Channel, Content, Inbound, Level, PriorityPolicy, Scope};
use sigap::i18n::Locales;
use sigap::intake::{ContactOutcome, Ctx, Effect, Profile, Question, Reply, State, step};
use sigap::knowledge::Knowledge;
use std::sync::OnceLock;

fn knowledge() -> &'static Knowledge {
    static K: OnceLock<Knowledge> = OnceLock::new();
    K.get_or_init(|| Knowledge::embedded().unwrap())
}

fn now() -> DateTime<Utc> {
    chrono_tz::Asia::Jakarta
        .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A reporter we already know (name and unit on file), unless `profile` says otherwise.
struct Talk {
    state: State,
    profile: Profile,
    policy: PriorityPolicy,
    effects: Vec<Effect>,
    seq: u32,
}

impl Talk {
    fn known() -> Talk {
        Talk {
            state: State::Idle,
            profile: Profile {
                name: Some("Sari".into()),
                unit: Some("Bagian Umum".into()),
            },
            policy: PriorityPolicy::default(),
            effects: Vec::new(),
            seq: 0,
        }
    }

    fn send(&mut self, content: Content) -> Vec<Reply> {
        self.seq += 1;
        let k = knowledge();
        let ctx = Ctx::new(k, &self.policy, chrono_tz::Asia::Jakarta, now(), &self.profile);
        let m = Inbound {
            channel: Channel::Terminal,
            message_id: self.seq.to_string(),
            chat_id: "c".into(),
            sender_id: "c".into(),
            sender_name: None,
            received_at: now(),
            content,
            pressed: None,
        };
        let (state, replies, effects) = step(std::mem::take(&mut self.state), &m, &ctx);
        self.state = state;
        self.effects = effects;
        replies
    }

    fn say(&mut self, text: &str) -> Vec<Reply> {
        self.send(Content::Text { text: text.into() })
    }

    fn press(&mut self, id: &str) -> Vec<Reply> {
        self.send(Content::Choice { id: id.into() })
    }

    fn asking(&self) -> Option<Question> {
        match &self.state {
            State::Reporting { asking, .. } => Some(*asking),
            State::Idle => None,
        }
    }

    fn ticket(&self) -> Option<&sigap::intake::NewTicket> {
        self.effects.iter().find_map(|e| match e {
            Effect::CreateTicket(t) => Some(t.as_ref()),
            _ => None,
        })
    }
}

fn keys(replies: &[Reply]) -> Vec<&'static str> {
    // The question itself may sit inside "with-ack".
    replies
        .iter()
        .map(|r| match r.text.args.iter().find(|(n, _)| *n == "question") {
            Some((_, sigap::i18n::Arg::Msg(m))) => m.key,
            _ => r.text.key,
        })
        .collect()
}

fn slot(s: &str) -> Question {
    Question::Slot {
        slot: serde_json::from_value(serde_json::json!(s)).unwrap(),
    }
}

#[test]
fn a_complete_report_goes_straight_to_the_summary() {
    let mut t = Talk::known();
    let r = t.say("wifi di ruang rapat lantai 3 mati sejak jam 9, semua peserta rapat ga bisa konek");
    assert_eq!(t.asking(), Some(Question::Confirm), "{:?}", keys(&r));
    t.press("c:yes");
    let ticket = t.ticket().expect("a ticket");
    assert_eq!(ticket.service.as_deref(), Some("internet-mati"));
    assert_eq!(ticket.priority.get(), 1);
    assert_eq!((ticket.response_due - ticket.recorded_at).num_minutes(), 10);
    assert_eq!(ticket.reporter_unit.as_deref(), Some("Bagian Umum"));
    assert!(matches!(t.state, State::Idle));
}

#[test]
fn asks_only_what_is_missing_one_question_at_a_time() {
    let mut t = Talk::known();
    let r = t.say("printer tidak bisa mencetak");
    assert_eq!(t.asking(), Some(Question::Article), "Level 0 first: {:?}", keys(&r));
    let r = t.press("kb:no");
    assert_eq!(t.asking(), Some(slot("where")), "{:?}", keys(&r));
    assert_eq!(r.len(), 1, "one message at a time");
    t.say("ruang TU lantai 2");
    assert_eq!(t.asking(), Some(slot("when")));
    t.press("t:today");
    // A printer is one person's by default: impact settled, urgency from "tidak bisa".
    assert_eq!(t.asking(), Some(Question::Confirm));
    t.press("c:yes");
    let ticket = t.ticket().unwrap();
    assert_eq!(ticket.location.as_deref(), Some("ruang TU lantai 2"));
    assert_eq!(
        ticket.occurred_at,
        Some(
            chrono_tz::Asia::Jakarta
                .with_ymd_and_hms(2026, 11, 23, 8, 0, 0)
                .unwrap()
                .with_timezone(&Utc)
        )
    );
    assert_eq!(
        (ticket.urgency, ticket.impact, ticket.priority.get()),
        (Level::Tinggi, Level::Rendah, 2)
    );
}

#[test]
fn urgency_and_impact_are_asked_in_plain_words_only_when_unsettled() {
    let mut t = Talk::known();
    // Nothing in the catalogue, nothing said about who or how badly.
    t.say("telepon kantor di lantai 2 rusak dari kemarin");
    assert_ne!(t.asking(), Some(slot("what")), "a clear description is not asked again");
    if t.asking() == Some(Question::Category) {
        t.press("k:lainnya");
    }
    assert_eq!(t.asking(), Some(slot("who")), "impact not said");
    let r = t.say("cuma saya kayaknya");
    assert_eq!(t.asking(), Some(slot("how")), "{:?}", keys(&r));
    t.say("iya terhenti");
    assert_eq!(t.asking(), Some(Question::Confirm));
    t.press("c:yes");
    let ticket = t.ticket().unwrap();
    assert_eq!(ticket.scope, Scope::Individual);
    assert_eq!((ticket.urgency, ticket.impact), (Level::Tinggi, Level::Rendah));
}

#[test]
fn a_new_reporter_is_asked_name_and_unit_once() {
    let mut t = Talk::known();
    t.profile = Profile::default();
    t.say("internet satu kantor mati total dari pagi");
    t.say("Kantor Kecamatan Cibiru");
    assert_eq!(t.asking(), Some(Question::Name));
    t.say("Asep");
    assert!(t.effects.contains(&Effect::SaveProfile {
        name: Some("Asep".into()),
        unit: None
    }));
    assert_eq!(t.asking(), Some(Question::Unit));
    t.say("Kecamatan Cibiru");
    assert_eq!(t.asking(), Some(Question::Confirm));
}

#[test]
fn a_vague_message_is_asked_about_then_categorised() {
    let mut t = Talk::known();
    t.say("min tolong ada masalah nih");
    assert_eq!(t.asking(), Some(slot("what")));
    let r = t.say("pokoknya ga beres");
    assert_eq!(t.asking(), Some(Question::Category), "{:?}", keys(&r));
    t.press("k:hardware");
    assert!(matches!(
        t.asking(),
        Some(Question::Slot { .. }) | Some(Question::Confirm)
    ));
}

#[test]
fn commands_work_in_the_middle_of_a_report() {
    let mut t = Talk::known();
    t.say("komputer saya mati total");
    let before = t.asking();
    let r = t.say("/status");
    assert_eq!(t.effects, vec![Effect::ShowTickets { number: None }]);
    assert_eq!(t.asking(), before, "the report waits");
    assert_eq!(r.len(), 1, "the pending question is asked again");
    let r = t.say("/status inc-2611-7");
    assert_eq!(
        t.effects,
        vec![Effect::ShowTickets {
            number: Some("INC-2611-0007".into())
        }]
    );
    assert!(!r.is_empty());
    let r = t.say("/status xyz");
    assert_eq!(keys(&r)[0], "status-bad-number");
    let r = t.say("/apaan");
    assert_eq!(keys(&r)[0], "unknown-command");
    assert_eq!(t.asking(), before);
    let r = t.say("/lapor");
    assert_eq!(keys(&r)[0], "report-in-progress");
    t.say("/batal@SigapBot");
    assert!(matches!(t.state, State::Idle));
    assert!(t.ticket().is_none());
}

#[test]
fn politeness_and_noise_outside_a_report() {
    let cases = [
        ("", "empty-message"),
        ("selamat pagi pak", "greeting"),
        ("ok makasih", "thanks"),
        ("siap, sudah bisa", "thanks"),
        ("the printer is not working", "english-message"),
        ("qwrtpsdf jklmnbv", "not-understood"),
        ("😀😀", "not-understood"),
    ];
    for (text, key) in cases {
        let mut t = Talk::known();
        let r = t.say(text);
        assert_eq!(keys(&r), [key], "{text:?}");
        assert!(matches!(t.state, State::Idle), "{text:?}");
    }
    let mut t = Talk::known();
    assert_eq!(keys(&t.press("c:yes")), ["choice-stale"]);
    assert_eq!(
        keys(&t.send(Content::Unsupported { what: "sticker".into() })),
        ["unsupported-message"]
    );
}

#[test]
fn a_request_gets_request_questions() {
    let mut t = Talk::known();
    t.say("mohon dibuatkan akun SIMPEG untuk pegawai baru");
    assert_eq!(t.asking(), Some(slot("who")), "for whom");
    t.say("Rudi Hartono NIP 199001012020121001");
    assert_eq!(t.asking(), Some(Question::Confirm));
    t.press("c:yes");
    let ticket = t.ticket().unwrap();
    assert_eq!(ticket.service.as_deref(), Some("akun-baru"));
    assert_eq!(ticket.ticket_type.as_str(), "akses");
    assert_eq!(ticket.priority.get(), 3);
    assert_eq!(ticket.affected.as_deref(), Some("Rudi Hartono NIP 199001012020121001"));
}

#[test]
fn typed_answers_are_read_like_buttons() {
    let mut t = Talk::known();
    t.say("internet lambat");
    assert_eq!(
        t.asking(),
        Some(slot("who")),
        "who is hit decides whether self-help fits"
    );
    t.say("saya saja");
    assert_eq!(t.asking(), Some(Question::Article));
    t.say("1");
    assert!(matches!(t.state, State::Idle), "1 = the first button, 'Berhasil'");
    t.say("internet lambat");
    t.say("saya sendiri");
    t.say("2");
    assert_eq!(t.asking(), Some(slot("where")));
    t.say("aula lantai 2");
    assert_eq!(t.asking(), Some(slot("when")));
    t.say("2");
    assert_eq!(t.asking(), Some(Question::Confirm), "numbers pick a choice");
    t.say("gak jadi deh");
    assert!(matches!(t.state, State::Idle), "typed cancel");
    assert!(t.ticket().is_none());
}

#[test]
fn changing_the_problem_rereads_it() {
    let mut t = Talk::known();
    t.say("printer di ruang arsip macet kertasnya");
    assert_eq!(t.asking(), Some(Question::Article));
    t.press("kb:no");
    t.press("t:now");
    assert_eq!(t.asking(), Some(Question::Confirm));
    t.press("c:edit");
    assert_eq!(t.asking(), Some(Question::Change));
    t.press("e:what");
    t.say("bukan printer, tapi scanner di ruang arsip tidak terdeteksi");
    assert_eq!(t.asking(), Some(Question::Confirm));
    t.press("c:yes");
    assert!(t.ticket().unwrap().description.starts_with("bukan printer"));
}

#[test]
fn every_engine_message_renders_in_both_languages() {
    let locales = Locales::embedded().unwrap();
    let k = knowledge();
    for lang in ["id", "en"] {
        let r = locales.renderer(lang, &k.catalog, chrono_tz::Asia::Jakarta);
        let mut t = Talk::known();
        let mut all = t.say("wifi di aula mati");
        all.extend(t.press("t:yesterday"));
        all.extend(t.press("w:some"));
        for reply in &all {
            let text = r.render(&reply.text);
            assert!(
                !text.is_empty() && !text.contains("{$") && !text.contains("{ $"),
                "{lang}: {text}"
            );
            for c in &reply.choices {
                assert!(!r.render(&c.label).is_empty());
            }
        }
    }
}

fn offered(t: &Talk) -> Vec<String> {
    t.effects
        .iter()
        .filter_map(|e| match e {
            Effect::ArticleOffered { article, .. } => Some(article.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_fitting_article_comes_first_and_yes_ends_without_a_ticket() {
    let mut t = Talk::known();
    let r = t.say("gk bisa login SIMPEG, lupa password");
    assert_eq!(keys(&r), ["kb-offer"]);
    assert_eq!(r[0].text.key, "with-ack", "acknowledged, then the offer");
    assert_eq!(t.asking(), Some(Question::Article));
    assert_eq!(offered(&t), ["sandi-aplikasi-web"]);
    let ids: Vec<&str> = r[0].choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(&ids[..2], ["kb:yes", "kb:no"]);
    let r = t.say("alhamdulillah sudah bisa masuk, makasih buat panduannya");
    assert_eq!(keys(&r), ["kb-resolved"]);
    assert!(matches!(t.state, State::Idle));
    assert!(t.ticket().is_none());
    assert!(t.effects.contains(&Effect::ArticleAnswered {
        article: "sandi-aplikasi-web".into(),
        helped: true
    }));
    let end = t.effects.iter().find_map(|e| match e {
        Effect::EndContact(c) => Some(c.clone()),
        _ => None,
    });
    let end = end.expect("the contact is recorded");
    assert_eq!(
        end.outcome,
        ContactOutcome::Level0 {
            article: "sandi-aplikasi-web".into()
        }
    );
    assert_eq!(end.service.as_deref(), Some("reset-password"));
}

#[test]
fn not_yet_goes_on_to_a_ticket_that_records_the_article_tried() {
    let mut t = Talk::known();
    t.say("printer di ruang TU gak mau ngeprint, dokumen nyangkut di antrian");
    assert_eq!(t.asking(), Some(Question::Article));
    let r = t.say("sudah, tapi belum berhasil");
    assert_eq!(r[0].text.key, "with-ack", "'I will pass it on', then the next question");
    assert_ne!(t.asking(), Some(Question::Article));
    for _ in 0..6 {
        if t.asking() == Some(Question::Confirm) {
            break;
        }
        t.say("tidak tahu");
    }
    assert_eq!(t.asking(), Some(Question::Confirm));
    t.press("c:yes");
    let ticket = t.ticket().expect("a ticket");
    assert_eq!(ticket.kb_tried, ["printer-tidak-mencetak"]);
    assert!(
        t.effects
            .iter()
            .any(|e| matches!(e, Effect::EndContact(c) if c.outcome == ContactOutcome::Ticket))
    );
}

#[test]
fn more_words_instead_of_an_answer_are_kept_and_mean_not_yet() {
    let mut t = Talk::known();
    t.say("laptop saya hang terus");
    assert_eq!(t.asking(), Some(Question::Article));
    let r = t.say("halo");
    assert_eq!(keys(&r), ["kb-offer"], "asked again");
    assert_eq!(r[0].text.key, "with-ack", "with a word on why");
    assert_eq!(t.asking(), Some(Question::Article));
    t.say("laptop hang setiap buka aplikasi SIPD, layarnya membeku");
    assert_ne!(t.asking(), Some(Question::Article));
    match &t.state {
        State::Reporting { draft, .. } => {
            assert_eq!(draft.said.len(), 2, "the new account is kept");
            assert_eq!(draft.offers[0].helped, Some(false));
        }
        State::Idle => panic!("the report goes on"),
    }
}

#[test]
fn another_way_offers_a_second_article_and_no_third() {
    let mut t = Talk::known();
    let r = t.say("printer saya tidak bisa mencetak, katanya offline");
    assert!(r[0].choices.iter().any(|c| c.id == "kb:more"), "{r:?}");
    let first = offered(&t);
    let r = t.press("kb:more");
    let second = offered(&t);
    assert_eq!(second.len(), 1);
    assert_ne!(first, second);
    assert!(!r[0].choices.iter().any(|c| c.id == "kb:more"), "two at most");
    t.press("kb:no");
    assert_ne!(t.asking(), Some(Question::Article));
    match &t.state {
        State::Reporting { draft, .. } => assert_eq!(draft.tried().count(), 2),
        State::Idle => panic!("the report goes on"),
    }
}

#[test]
fn no_self_help_for_mass_outages_p1_or_technician_work() {
    for text in [
        "internet seluruh kantor mati sejak pagi, semua pegawai tidak bisa kerja",
        "server SIMRS down, pasien menumpuk di loket pendaftaran",
        "lupa password komputer domain, gak bisa masuk windows",
        "semua file di folder bersama berubah ekstensi .lockbit dan tidak bisa dibuka",
        "kerupuk di kantin habis",
    ] {
        let mut t = Talk::known();
        t.say(text);
        for _ in 0..4 {
            assert_ne!(t.asking(), Some(Question::Article), "{text}");
            if t.asking() == Some(Question::Confirm) || t.asking().is_none() {
                break;
            }
            t.press("x:skip");
        }
    }
}

#[test]
fn an_offer_left_open_is_answered_after_the_state_was_stored() {
    let mut t = Talk::known();
    t.say("kotak surat email dinas saya penuh");
    assert_eq!(t.asking(), Some(Question::Article));
    let saved = serde_json::to_value(&t.state).unwrap();
    t.state = serde_json::from_value(saved).unwrap();
    let r = t.say("berhasil");
    assert_eq!(keys(&r), ["kb-resolved"]);
    assert!(t.ticket().is_none());
}

#[test]
fn typed_answers_to_an_offer() {
    for (answer, helped) in [
        ("sudah bisa, makasih", Some(true)),
        ("berhasil pak", Some(true)),
        ("sama saja", Some(false)),
        ("gk bisa juga", Some(false)),
        ("sudah dicoba tapi masih penuh", Some(false)),
        ("buat tiket aja", Some(false)),
        ("2", Some(false)),
        ("hmm", None),
    ] {
        let mut t = Talk::known();
        t.say("kotak surat email dinas saya penuh");
        assert_eq!(t.asking(), Some(Question::Article));
        t.say(answer);
        let got = t.effects.iter().find_map(|e| match e {
            Effect::ArticleAnswered { helped, .. } => Some(*helped),
            _ => None,
        });
        assert_eq!(got, helped, "{answer}");
        if helped.is_none() {
            assert_eq!(t.asking(), Some(Question::Article), "{answer}: asked again");
        }
    }
}
