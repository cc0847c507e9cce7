//! The hand-over: the person finishes in their own MitID app — User-ID,
//! mobile number and SMS code, "On this phone", the temporary PIN, their
//! own PIN, optional fingerprint or face unlock, notifications. The agent
//! walks them through it without seeing the User-ID or a PIN: the app
//! only shows the rules and tips, and the agent marks each step done, or
//! what went wrong. The outcome goes into the case.

use iced::widget::{button, column, container, pick_list, row, text};
use iced::{Alignment, Length};

use crate::fl;
use crate::theme;
use crate::widget::Element;

/// A step in the person's app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// Choose a User-ID.
    UserId,
    /// Link the mobile number with the SMS code.
    Phone,
    /// Choose "On this phone".
    Activate,
    /// The temporary PIN from the SMS.
    TemporaryPin,
    /// The person's own PIN.
    PersonalPin,
    /// Fingerprint or face unlock (optional).
    Biometrics,
    /// Allow notifications.
    Notifications,
}

impl Item {
    /// In the order the app asks.
    pub const ALL: [Item; 7] = [
        Item::UserId,
        Item::Phone,
        Item::Activate,
        Item::TemporaryPin,
        Item::PersonalPin,
        Item::Biometrics,
        Item::Notifications,
    ];

    /// The item's name in the records.
    pub fn name(self) -> &'static str {
        match self {
            Item::UserId => "user-id",
            Item::Phone => "phone",
            Item::Activate => "activate",
            Item::TemporaryPin => "temporary-pin",
            Item::PersonalPin => "personal-pin",
            Item::Biometrics => "biometrics",
            Item::Notifications => "notifications",
        }
    }

    fn texts(self) -> (String, String, Option<String>) {
        match self {
            Item::UserId => (fl!("handover-user-id"), fl!("handover-user-id-how"), Some(fl!("handover-look-away"))),
            Item::Phone => (fl!("handover-phone"), fl!("handover-phone-how"), Some(fl!("handover-phone-tip"))),
            Item::Activate => (fl!("handover-activate"), fl!("handover-activate-how"), None),
            Item::TemporaryPin => {
                (fl!("handover-temporary-pin"), fl!("handover-temporary-pin-how"), Some(fl!("handover-pin-tip")))
            }
            Item::PersonalPin => {
                (fl!("handover-personal-pin"), fl!("handover-personal-pin-how"), Some(fl!("handover-look-away")))
            }
            Item::Biometrics => (fl!("handover-biometrics"), fl!("handover-biometrics-how"), None),
            Item::Notifications => (fl!("handover-notifications"), fl!("handover-notifications-how"), None),
        }
    }
}

/// What went wrong at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The SMS did not come.
    NoSms,
    /// A code or PIN was refused.
    CodeRefused,
    /// The MitID app showed an error.
    AppError,
    /// The person chose to stop.
    Stopped,
    /// Something else.
    Other,
}

impl Problem {
    const ALL: [Problem; 5] =
        [Problem::NoSms, Problem::CodeRefused, Problem::AppError, Problem::Stopped, Problem::Other];

    fn name(self) -> &'static str {
        match self {
            Problem::NoSms => "no-sms",
            Problem::CodeRefused => "code-refused",
            Problem::AppError => "app-error",
            Problem::Stopped => "stopped",
            Problem::Other => "other",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            Problem::NoSms => fl!("handover-problem-no-sms"),
            Problem::CodeRefused => fl!("handover-problem-code"),
            Problem::AppError => fl!("handover-problem-app"),
            Problem::Stopped => fl!("handover-problem-stopped"),
            Problem::Other => fl!("handover-problem-other"),
        })
    }
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    /// Not yet.
    #[default]
    Open,
    /// Done.
    Done,
    /// Left out (the optional step only).
    Skipped,
    /// It went wrong.
    Problem(Problem),
}

/// The step's state.
#[derive(Debug, Default)]
pub struct HandoverStep {
    statuses: [Status; 7],
}

/// What the step's widgets say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Mark a step.
    Mark(Item, Status),
    /// Mark a step with the next kind of problem (the keyboard's way to
    /// the problem list: Enter goes on to the next).
    NextProblem(Item),
    /// Finish: record the outcome and close the case.
    Finish,
}

/// What the step asks of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Record this outcome and close the case.
    Finished {
        /// "completed" or "stopped".
        outcome: &'static str,
        /// Each step's status, for the record.
        detail: String,
    },
}

impl HandoverStep {
    fn index(item: Item) -> usize {
        Item::ALL.iter().position(|i| *i == item).unwrap_or(0)
    }

    /// A step's status.
    pub fn status(&self, item: Item) -> Status {
        self.statuses[Self::index(item)]
    }

    /// The step the person is at: the first not yet marked.
    pub fn current(&self) -> Option<Item> {
        self.statuses.iter().position(|s| *s == Status::Open).map(|i| Item::ALL[i])
    }

    /// The buttons Tab moves through, as the messages they send: those of
    /// a step with a problem (to name another kind, or mark it done after
    /// all), else of the step the person is at.
    pub fn focusables(&self) -> Vec<Message> {
        let troubled = self.statuses.iter().position(|s| matches!(s, Status::Problem(_))).map(|i| Item::ALL[i]);
        let Some(item) = troubled.or_else(|| self.current()) else { return Vec::new() };
        let mut targets = vec![Message::Mark(item, Status::Done), Message::NextProblem(item)];
        if item == Item::Biometrics {
            targets.push(Message::Mark(item, Status::Skipped));
        }
        targets
    }

    /// Whether a step met a problem.
    pub fn troubled(&self) -> bool {
        self.statuses.iter().any(|s| matches!(s, Status::Problem(_)))
    }

    /// Whether the case can be finished: every step done (or skipped, when
    /// optional), or a problem met that ends it.
    pub fn finishable(&self) -> bool {
        self.statuses.iter().any(|s| matches!(s, Status::Problem(_)))
            || self.statuses.iter().all(|s| matches!(s, Status::Done | Status::Skipped))
    }

    /// Handles a message.
    pub fn update(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Mark(item, status) => {
                if status == Status::Skipped && item != Item::Biometrics {
                    return None;
                }
                self.statuses[Self::index(item)] = status;
                None
            }
            Message::NextProblem(item) => {
                let next = match self.status(item) {
                    Status::Problem(p) => {
                        let at = Problem::ALL.iter().position(|q| *q == p).unwrap_or(0);
                        Problem::ALL[(at + 1) % Problem::ALL.len()]
                    }
                    _ => Problem::ALL[0],
                };
                self.statuses[Self::index(item)] = Status::Problem(next);
                None
            }
            Message::Finish => {
                if !self.finishable() {
                    return None;
                }
                let completed = self.statuses.iter().all(|s| matches!(s, Status::Done | Status::Skipped));
                let detail = Item::ALL
                    .iter()
                    .zip(self.statuses)
                    .map(|(item, status)| {
                        let status = match status {
                            Status::Open => "open".to_owned(),
                            Status::Done => "done".to_owned(),
                            Status::Skipped => "skipped".to_owned(),
                            Status::Problem(p) => format!("problem:{}", p.name()),
                        };
                        format!("{}={status}", item.name())
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(Event::Finished { outcome: if completed { "completed" } else { "stopped" }, detail })
            }
        }
    }

    /// Draws the checklist; `focused` tells the button the keyboard is on.
    /// In demo mode, `sms` says whether the demo phone gets its SMS (the
    /// trainer may stop it).
    pub fn view(&self, sms: Option<bool>, focused: &dyn Fn(Message) -> bool) -> Element<'_, Message> {
        let current = self.current();
        let mut list = column![text(fl!("handover-intro"))].spacing(10);
        for (i, item) in Item::ALL.into_iter().enumerate() {
            let (title, how, tip) = item.texts();
            let status = self.statuses[i];
            let mark = match status {
                Status::Open => "○",
                Status::Done => "✓",
                Status::Skipped => "–",
                Status::Problem(_) => "✗",
            };
            let mut words = column![text(format!("{mark} {}. {title}", i + 1)).font(theme::MEDIUM), text(how).size(14)]
                .spacing(2)
                .width(Length::Fill);
            if let Some(tip) = tip {
                words = words.push(text(tip).size(13));
            }
            if let Status::Problem(p) = status {
                words = words.push(text(fl!("handover-problem-noted", problem = p.to_string())).size(13));
            }
            if let Some(arrives) = sms
                && matches!(item, Item::Phone | Item::TemporaryPin)
                && status == Status::Open
            {
                let said = if arrives { fl!("handover-demo-sms-came") } else { fl!("handover-demo-sms-none") };
                words = words.push(text(said).size(13).font(theme::MEDIUM));
            }
            let mut actions = row![
                button(text(fl!("handover-done")))
                    .on_press(Message::Mark(item, Status::Done))
                    .style(theme::nav_button(status == Status::Done, focused(Message::Mark(item, Status::Done)))),
                container(
                    pick_list(
                        Problem::ALL,
                        match status {
                            Status::Problem(p) => Some(p),
                            _ => None,
                        },
                        move |p| Message::Mark(item, Status::Problem(p)),
                    )
                    .placeholder(fl!("handover-problem"))
                    .width(210),
                )
                .padding(2)
                .style(theme::focus_frame(focused(Message::NextProblem(item)))),
            ]
            .spacing(6)
            .align_y(Alignment::Center);
            if item == Item::Biometrics {
                actions = actions.push(
                    button(text(fl!("handover-skip"))).on_press(Message::Mark(item, Status::Skipped)).style(
                        theme::nav_button(status == Status::Skipped, focused(Message::Mark(item, Status::Skipped))),
                    ),
                );
            }
            let style: fn(&iced::Theme) -> container::Style =
                if current == Some(item) { theme::card } else { |_: &iced::Theme| container::Style::default() };
            list = list
                .push(container(row![words, actions].spacing(12).align_y(Alignment::Center)).padding(8).style(style));
        }
        // "Finish" sits in the step bar below, always in reach.
        list.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finishing_needs_every_step_or_a_problem_and_records_each() {
        let mut h = HandoverStep::default();
        assert!(!h.finishable());
        assert_eq!(h.update(Message::Finish), None);
        // Only the optional step can be skipped.
        assert_eq!(h.update(Message::Mark(Item::UserId, Status::Skipped)), None);
        assert_eq!(h.status(Item::UserId), Status::Open);
        for item in Item::ALL {
            let _ = h.update(Message::Mark(item, Status::Done));
        }
        let _ = h.update(Message::Mark(Item::Biometrics, Status::Skipped));
        let Some(Event::Finished { outcome, detail }) = h.update(Message::Finish) else { panic!("finished") };
        assert_eq!(outcome, "completed");
        assert_eq!(
            detail,
            "user-id=done phone=done activate=done temporary-pin=done personal-pin=done biometrics=skipped notifications=done"
        );

        // By keyboard: the current step's buttons, and Enter on the problem
        // list goes through the kinds of problem.
        let mut h = HandoverStep::default();
        assert_eq!(h.focusables(), [Message::Mark(Item::UserId, Status::Done), Message::NextProblem(Item::UserId)]);
        let _ = h.update(Message::Mark(Item::UserId, Status::Done));
        assert_eq!(h.focusables()[0], Message::Mark(Item::Phone, Status::Done));
        let _ = h.update(Message::NextProblem(Item::Phone));
        assert_eq!(h.status(Item::Phone), Status::Problem(Problem::ALL[0]));
        // The keyboard stays on the step with the problem: Enter again names
        // the next kind.
        assert_eq!(h.focusables()[1], Message::NextProblem(Item::Phone));
        let _ = h.update(Message::NextProblem(Item::Phone));
        assert_eq!(h.status(Item::Phone), Status::Problem(Problem::ALL[1]));

        // The SMS never came: the case can end there, as stopped.
        let mut h = HandoverStep::default();
        let _ = h.update(Message::Mark(Item::UserId, Status::Done));
        let _ = h.update(Message::Mark(Item::Phone, Status::Problem(Problem::NoSms)));
        let Some(Event::Finished { outcome, detail }) = h.update(Message::Finish) else { panic!("finished") };
        assert_eq!(outcome, "stopped");
        assert!(detail.starts_with("user-id=done phone=problem:no-sms activate=open"), "{detail}");
    }
}
