//! The wizard's own tests: steps in bounds, nothing of the person left
//! after their case, answers kept to their case.

use super::*;
use crate::chip_read::{self, Specimen};

const TODAY: Date = jiff::civil::date(2026, 11, 24);

/// Reads the demo passport with the CAN, as the app would, and feeds
/// the end back under `tag`.
fn read(e: &mut Enrollment, tag: CaseTag) {
    let request = chip_read::Request {
        source: Source::Demo(Specimen::Passport),
        secret: Secret::Can("123456".into()),
        desk: None,
        demo: true,
        devices: Default::default(),
        now: mitid_emrtd::pki::x509::Time::new(2026, 11, 24, 12, 0, 0).unwrap_or_default(),
        cancel: Arc::default(),
    };
    let done = chip_read::read_now(request).pop().expect("the end");
    let _ = e.update(Message::Reply(tag, Reply::Report(done)), TODAY);
}

/// To the chip step with the CAN, the case opened as `id`.
fn at_the_chip(e: &mut Enrollment, id: i64) {
    let _ = e.update(Message::Mrz(mrz::Message::Mode(Mode::Can)), TODAY);
    let _ = e.update(Message::Mrz(mrz::Message::Can("123456".into())), TODAY);
    let _ = e.update(Message::Next, TODAY);
    let tag = e.tag();
    let _ = e.update(Message::Reply(tag, Reply::Case(CaseAnswer::Opened(id))), TODAY);
}

#[test]
fn steps_go_forward_and_back_within_bounds() {
    let mut e = Enrollment::default();
    assert_eq!(e.focusables().len(), 12, "three ways in, passport or ID card, six date parts, then Next");
    assert_eq!(e.escape(), None);
    // The MRZ step holds until it has what opens the chip.
    let _ = e.update(Message::Next, TODAY);
    assert_eq!(e.step(), Step::Mrz);
    at_the_chip(&mut e, 7);
    assert_eq!(e.step(), Step::Chip);
    // The chip step holds until the chip is read.
    let _ = e.update(Message::Next, TODAY);
    assert_eq!(e.step(), Step::Chip);
    let tag = e.tag();
    read(&mut e, tag);
    // The face step holds for a picture and a decision — unless there
    // is no camera: then the agent compares by eye and goes on.
    for expected in [Step::Face, Step::Face] {
        let _ = e.update(Message::Next, TODAY);
        assert_eq!(e.step(), expected);
    }
    let no_camera = crate::camera::Event::Failed(crate::camera::Problem::Camera(mitid_camera::CameraError::NoCamera));
    let _ = e.update(Message::Face(face::Message::Camera(no_camera)), TODAY);
    for expected in [Step::Handover, Step::Handover] {
        let _ = e.update(Message::Next, TODAY);
        assert_eq!(e.step(), expected);
    }
    // Once the chip is read, Start over is in reach on every step; on the
    // hand-over, after the current step's own buttons.
    use handover::{Item, Message as Handover, Status};
    assert_eq!(
        e.focusables(),
        vec![
            Message::Handover(Handover::Mark(Item::UserId, Status::Done)),
            Message::Handover(Handover::NextProblem(Item::UserId)),
            Message::Back,
            Message::StartOver
        ]
    );
    let _ = e.update(Message::Back, TODAY);
    assert_eq!(e.step(), Step::Face);
    assert_eq!(e.focusables(), vec![Message::Back, Message::StartOver, Message::Next]);
}

/// Nothing of the person is left after Start over, after the hand-over
/// is finished, or when the app closes: the whole person is a new value
/// (its Debug shows every field, so a new one is covered too); what
/// belongs to the desk stays.
#[test]
fn nothing_of_the_person_survives_the_end_of_their_case() {
    let fresh = format!("{:?}", Person::default());
    for end in ["started over", "finished", "app closed"] {
        let mut e = Enrollment::new(true).preferring(Some("Reader A".into()));
        let _ = e.update(Message::Chip(chip::Message::Specimen(Specimen::IdCard)), TODAY);
        at_the_chip(&mut e, 3);
        let tag = e.tag();
        read(&mut e, tag);
        assert!(e.document().is_some() && e.credentials().is_some() && e.case() == Some(3));
        let close = match end {
            "started over" => e.update(Message::StartOver, TODAY).1,
            "finished" => {
                e.person.step = Step::Handover;
                let mut last = None;
                for item in handover::Item::ALL {
                    let mark = handover::Message::Mark(item, handover::Status::Done);
                    last = e.update(Message::Handover(mark), TODAY).1;
                }
                let finished = e.update(Message::Handover(handover::Message::Finish), TODAY).1;
                finished.or(last)
            }
            _ => e.forget("app closed"),
        };
        let closes = |event: &Event| match event {
            Event::Case(_, CaseRequest::Close { id: 3, .. }) => true,
            Event::Batch(events) => {
                events.iter().any(|e| matches!(e, Event::Case(_, CaseRequest::Close { id: 3, .. })))
            }
            _ => false,
        };
        assert!(close.as_ref().is_some_and(closes), "{end}: the case closes: {close:?}");
        // Nothing of them: no MRZ, no key, no chip, no photo, no case.
        let person = format!("{:?}", Person { tag: CaseTag::default(), ..std::mem::take(&mut e.person) });
        assert_eq!(person, fresh, "{end}");
        // The desk's part stays.
        assert_eq!(e.preferred_reader(), Some("Reader A"), "{end}");
        assert_eq!(e.desk.readers.specimen, Specimen::IdCard, "{end}");
    }
}

/// A case change that fails after its person has gone (recording the
/// hand-over, closing the case) used to turn up on the next person's
/// chip step; an answer belongs to its case now.
#[test]
fn an_answer_for_an_ended_case_never_reaches_the_next_person() {
    let mut e = Enrollment::new(true);
    at_the_chip(&mut e, 5);
    let first = e.tag();
    read(&mut e, first);
    let _ = e.update(Message::StartOver, TODAY);
    // The next person comes to the chip step; the first's close fails.
    at_the_chip(&mut e, 6);
    assert_ne!(e.tag(), first);
    let failed = Reply::Case(CaseAnswer::Failed("database is locked".into()));
    let (_, event) = e.update(Message::Reply(first, failed), TODAY);
    assert!(event.is_none());
    assert_eq!((e.case_error(), e.chip_error()), (None, None));
    // A late read or comparison of the first person is not shown either.
    read(&mut e, first);
    assert!(e.document().is_none(), "the first person's chip on the next person's screen");
    // A case that opened only after its person had gone is closed.
    let (_, event) = e.update(Message::Reply(first, Reply::Case(CaseAnswer::Opened(9))), TODAY);
    assert!(matches!(event, Some(Event::Case(tag, CaseRequest::Close { id: 9, .. })) if tag == first));
    assert_eq!(e.case(), Some(6));
    // This person's own failure is shown, on whichever step.
    let failed = Reply::Case(CaseAnswer::Failed("database is locked".into()));
    let tag = e.tag();
    let _ = e.update(Message::Reply(tag, failed), TODAY);
    assert_eq!(e.case_error(), Some("database is locked"));
}
