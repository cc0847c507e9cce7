//! The screen turned to the citizen, in a window of its own: large type in
//! the citizen's language, what to do now, the live picture while the
//! photo is taken, and the guide's tips. The agent's window drives it: what
//! it shows follows the enrollment, and the agent (or the citizen, by a tap)
//! picks the language. Nothing here is typed; the window holds no data of
//! its own beyond the language chosen for this case.

use iced::widget::{Space, button, column, container, image, progress_bar, row, text};
use iced::{Alignment, Length};
use mitid_core::config::CitizenLanguage;
use mitid_face::quality::{Finding, Step};

use super::enrollment::handover::Item;
use super::enrollment::{self, Enrollment};
use crate::i18n::{citizen as t, citizen_args};
use crate::theme;
use crate::widget::Element;

/// What the citizen's screen shows, read off the enrollment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scene<'a> {
    /// No document yet: welcome, hand it over.
    Welcome,
    /// The chip step.
    Chip(Chip),
    /// The photo.
    Face {
        /// The live picture, as in a mirror.
        preview: Option<&'a image::Handle>,
        /// Which way to step, when off to a side.
        step: Option<Step>,
        /// What to change (empty: hold still), once frames come.
        findings: Option<&'a [Finding]>,
        /// How far the person has held still, 0–1.
        hold: f32,
        /// The picture has been taken.
        taken: bool,
    },
    /// The MitID app: this step of the seven.
    Handover(Item),
    /// A step met a problem; the agent helps.
    Problem,
    /// Every step is done.
    Done,
}

/// Where the chip step is, for the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chip {
    /// The document should lie on the reader.
    Place,
    /// Being read: do not touch it.
    Reading,
    /// Read.
    Done,
}

/// What the citizen's screen should show now.
pub fn scene(enrollment: &Enrollment) -> Scene<'_> {
    match enrollment.step() {
        enrollment::Step::Mrz => Scene::Welcome,
        enrollment::Step::Chip if enrollment.reading() => Scene::Chip(Chip::Reading),
        enrollment::Step::Chip if enrollment.document().is_some() => Scene::Chip(Chip::Done),
        enrollment::Step::Chip => Scene::Chip(Chip::Place),
        enrollment::Step::Face => {
            let face = enrollment.face();
            Scene::Face {
                preview: face.mirrored(),
                step: face.sideways(),
                findings: face.findings(),
                hold: face.hold(),
                taken: face.taken(),
            }
        }
        enrollment::Step::Handover => {
            let handover = enrollment.handover();
            match handover.current() {
                _ if handover.troubled() => Scene::Problem,
                Some(item) => Scene::Handover(item),
                None => Scene::Done,
            }
        }
    }
}

/// The citizen screen's state: the language chosen for this case, if one
/// was (else the nationality's, else English).
#[derive(Debug, Default)]
pub struct Citizen {
    chosen: Option<CitizenLanguage>,
}

/// What the citizen's screen (and the agent's controls for it) say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Speak this language.
    Language(CitizenLanguage),
    /// The next language (the agent's button).
    NextLanguage(CitizenLanguage),
}

impl Citizen {
    /// The language to speak: the one chosen, else the one `suggested`
    /// (by the document's nationality), else English.
    pub fn language(&self, suggested: Option<CitizenLanguage>) -> CitizenLanguage {
        self.chosen.or(suggested).unwrap_or_default()
    }

    /// A new person: no language chosen.
    pub fn forget(&mut self) {
        self.chosen = None;
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) {
        match message {
            Message::Language(language) => self.chosen = Some(language),
            Message::NextLanguage(from) => {
                let at = CitizenLanguage::ALL.iter().position(|l| *l == from).unwrap_or(0);
                self.chosen = Some(CitizenLanguage::ALL[(at + 1) % CitizenLanguage::ALL.len()]);
            }
        }
    }

    /// The window's title.
    pub fn title(language: CitizenLanguage) -> String {
        t(language, "citizen-window-title")
    }

    /// Draws the citizen's screen; in `demo` mode it says so (trainers
    /// practise with it).
    pub fn view<'a>(&'a self, scene: Scene<'a>, language: CitizenLanguage, demo: bool) -> Element<'a, Message> {
        let languages = CitizenLanguage::ALL.iter().fold(row![].spacing(8), |r, l| {
            r.push(
                button(text(l.endonym()).size(22))
                    .padding([10, 18])
                    .on_press(Message::Language(*l))
                    .style(theme::nav_button(*l == language, false)),
            )
        });
        let mut top = row![text("MitID").size(34).font(theme::BOLD)].align_y(Alignment::Center).spacing(16);
        if demo {
            top =
                top.push(container(text("DEMO").size(22).font(theme::BOLD)).padding([4, 12]).style(theme::demo_banner));
        }
        // On a narrow screen the languages go on a second line.
        let top = top.push(Space::new().width(Length::Fill)).push(languages.wrap());
        let heading = |id: &str| text(t(language, id)).size(52).font(theme::BOLD);
        let line = |id: &str| text(t(language, id)).size(32);
        let tip =
            |id: &str| container(text(t(language, id)).size(26)).padding(16).width(Length::Fill).style(theme::card);
        let body: Element<'a, Message> = match scene {
            Scene::Welcome => column![heading("citizen-welcome"), line("citizen-welcome-body")].spacing(28).into(),
            Scene::Chip(chip) => {
                let now = match chip {
                    Chip::Place => "citizen-chip-body",
                    Chip::Reading => "citizen-chip-reading",
                    Chip::Done => "citizen-chip-done",
                };
                column![heading("citizen-chip"), line(now)].spacing(28).into()
            }
            Scene::Face { taken: true, .. } => {
                column![heading("citizen-face"), line("citizen-face-taken")].spacing(28).into()
            }
            Scene::Face { preview, step, findings, hold, .. } => {
                let instruction: Element<'a, Message> = match findings {
                    None => line("citizen-face-body").into(),
                    Some([]) => column![
                        text(t(language, "citizen-face-hold")).size(40).font(theme::BOLD),
                        progress_bar(0.0..=1.0, hold).girth(18),
                    ]
                    .spacing(12)
                    .into(),
                    Some(findings) => column(findings.iter().take(2).map(|f| {
                        // Off centre, said as a step to take.
                        let id = match (f, step) {
                            (Finding::OffCentre, Some(Step::TheirLeft)) => "citizen-step-left",
                            (Finding::OffCentre, Some(Step::TheirRight)) => "citizen-step-right",
                            _ => finding_id(*f),
                        };
                        text(t(language, id)).size(40).font(theme::BOLD).into()
                    }))
                    .spacing(12)
                    .into(),
                };
                let picture: Element<'a, Message> = match preview {
                    Some(frame) => image(frame.clone()).width(Length::FillPortion(3)).height(Length::Fill).into(),
                    None => Space::new().width(Length::FillPortion(3)).into(),
                };
                column![
                    heading("citizen-face"),
                    row![picture, column![instruction].width(Length::FillPortion(2))].spacing(28).height(Length::Fill),
                    tip("citizen-face-tips"),
                ]
                .spacing(24)
                .into()
            }
            Scene::Handover(item) => {
                let at = Item::ALL.iter().position(|i| *i == item).unwrap_or(0) + 1;
                let step = citizen_args(
                    language,
                    "citizen-step",
                    &[("n", at.to_string()), ("total", Item::ALL.len().to_string())],
                );
                let (title, how, tip_id) = item_ids(item);
                let mut body = column![
                    text(t(language, "citizen-handover")).size(28),
                    text(step).size(26).font(theme::MEDIUM),
                    heading(title),
                    line(how),
                ]
                .spacing(20);
                if let Some(tip_id) = tip_id {
                    body = body.push(tip(tip_id));
                }
                body.into()
            }
            Scene::Problem => column![heading("citizen-handover"), line("citizen-problem")].spacing(28).into(),
            Scene::Done => column![heading("citizen-done"), line("citizen-done-body")].spacing(28).into(),
        };
        container(column![top, container(body).padding([24, 0]).height(Length::Fill)].spacing(24))
            .padding(40)
            .width(Length::Fill)
            .height(Length::Fill)
            .into()
    }
}

/// The citizen's words for a finding.
pub fn finding_id(finding: Finding) -> &'static str {
    match finding {
        Finding::NoFace => "citizen-finding-no-face",
        Finding::SeveralFaces => "citizen-finding-several",
        Finding::TooSmall => "citizen-finding-too-small",
        Finding::TooClose => "citizen-finding-too-close",
        Finding::OffCentre => "citizen-finding-off-centre",
        Finding::Tilted => "citizen-finding-tilted",
        Finding::Turned => "citizen-finding-turned",
        Finding::Dark => "citizen-finding-dark",
        Finding::Bright => "citizen-finding-bright",
        Finding::UnevenLight => "citizen-finding-uneven",
        Finding::Blurred => "citizen-finding-blurred",
        Finding::EyesHidden => "citizen-finding-eyes",
    }
}

/// A hand-over step's title, what to do, and its tip (or the reminder that
/// it is the citizen's alone), as text ids.
fn item_ids(item: Item) -> (&'static str, &'static str, Option<&'static str>) {
    match item {
        Item::UserId => ("citizen-user-id", "citizen-user-id-how", Some("citizen-private")),
        Item::Phone => ("citizen-phone", "citizen-phone-how", Some("citizen-code-tip")),
        Item::Activate => ("citizen-activate", "citizen-activate-how", None),
        Item::TemporaryPin => ("citizen-temporary-pin", "citizen-temporary-pin-how", Some("citizen-code-tip")),
        Item::PersonalPin => ("citizen-personal-pin", "citizen-personal-pin-how", Some("citizen-private")),
        Item::Biometrics => ("citizen-biometrics", "citizen-biometrics-how", None),
        Item::Notifications => ("citizen-notifications", "citizen-notifications-how", None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_used_exists_in_every_language() {
        let mut ids: Vec<&str> = vec![
            "citizen-window-title",
            "citizen-welcome",
            "citizen-welcome-body",
            "citizen-chip",
            "citizen-chip-body",
            "citizen-chip-reading",
            "citizen-chip-done",
            "citizen-face",
            "citizen-face-body",
            "citizen-face-hold",
            "citizen-face-taken",
            "citizen-face-tips",
            "citizen-handover",
            "citizen-problem",
            "citizen-done",
            "citizen-done-body",
            "citizen-step-left",
            "citizen-step-right",
        ];
        ids.extend(
            [
                Finding::NoFace,
                Finding::SeveralFaces,
                Finding::TooSmall,
                Finding::TooClose,
                Finding::OffCentre,
                Finding::Tilted,
                Finding::Turned,
                Finding::Dark,
                Finding::Bright,
                Finding::UnevenLight,
                Finding::Blurred,
                Finding::EyesHidden,
            ]
            .map(finding_id),
        );
        for item in Item::ALL {
            let (a, b, c) = item_ids(item);
            ids.extend([a, b]);
            ids.extend(c);
        }
        for language in CitizenLanguage::ALL {
            for id in &ids {
                let text = t(language, id);
                assert!(!text.is_empty() && !text.contains(id), "{}: {id} missing", language.tag());
            }
            let step = citizen_args(language, "citizen-step", &[("n", "3".into()), ("total", "7".into())]);
            assert!(step.contains('3') && step.contains('7'), "{}: {step}", language.tag());
        }
        // The languages differ (no file is English copied).
        let welcome: std::collections::BTreeSet<_> =
            CitizenLanguage::ALL.iter().map(|l| t(*l, "citizen-welcome-body")).collect();
        assert_eq!(welcome.len(), CitizenLanguage::ALL.len());
    }

    #[test]
    fn the_language_chosen_wins_over_the_nationality_until_the_next_person() {
        let mut citizen = Citizen::default();
        assert_eq!(citizen.language(None), CitizenLanguage::En);
        assert_eq!(citizen.language(Some(CitizenLanguage::Uk)), CitizenLanguage::Uk);
        citizen.update(Message::Language(CitizenLanguage::Pl));
        assert_eq!(citizen.language(Some(CitizenLanguage::Uk)), CitizenLanguage::Pl);
        citizen.update(Message::NextLanguage(CitizenLanguage::Uk));
        assert_eq!(citizen.language(None), CitizenLanguage::En, "wraps round");
        citizen.forget();
        assert_eq!(citizen.language(Some(CitizenLanguage::De)), CitizenLanguage::De);
    }
}
