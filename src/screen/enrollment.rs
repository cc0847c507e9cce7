//! Counter enrollment: MRZ → chip → face → hand-over, one step at a time
//! (the wizard of iced's `tour`). The steps themselves come in their own
//! issues; for now each says what it will do, and the stepper works.

use iced::widget::{Space, button, column, container, row, text};
use iced::{Alignment, Length, Task};

use crate::fl;
use crate::theme;
use crate::widget::Element;

/// A step of an enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Step {
    /// Read the machine-readable zone.
    #[default]
    Mrz,
    /// Read and verify the chip.
    Chip,
    /// Capture and compare the face.
    Face,
    /// Hand over to the citizen.
    Handover,
}

impl Step {
    /// In order.
    pub const ALL: [Step; 4] = [Step::Mrz, Step::Chip, Step::Face, Step::Handover];

    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The step after this one.
    pub fn next(self) -> Option<Step> {
        Self::ALL.get(self.index() + 1).copied()
    }

    /// The step before this one.
    pub fn previous(self) -> Option<Step> {
        self.index().checked_sub(1).map(|i| Self::ALL[i])
    }

    fn title(self) -> String {
        match self {
            Step::Mrz => fl!("step-mrz"),
            Step::Chip => fl!("step-chip"),
            Step::Face => fl!("step-face"),
            Step::Handover => fl!("step-handover"),
        }
    }

    fn body(self) -> String {
        match self {
            Step::Mrz => fl!("step-mrz-body"),
            Step::Chip => fl!("step-chip-body"),
            Step::Face => fl!("step-face-body"),
            Step::Handover => fl!("step-handover-body"),
        }
    }
}

/// The screen's state.
#[derive(Debug, Default)]
pub struct Enrollment {
    step: Step,
}

/// What the screen's widgets say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// To the previous step.
    Back,
    /// To the next step.
    Next,
}

/// What the screen tells the app.
#[derive(Debug, Clone)]
pub enum Event {}

impl Enrollment {
    /// The current step.
    pub fn step(&self) -> Step {
        self.step
    }

    /// Handles a message of this screen.
    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        let moved = match message {
            Message::Back => self.step.previous(),
            Message::Next => self.step.next(),
        };
        if let Some(step) = moved {
            self.step = step;
        }
        (Task::none(), None)
    }

    /// The buttons Tab moves through, as the messages they send.
    pub fn focusables(&self) -> Vec<Message> {
        let mut targets = Vec::new();
        if self.step.previous().is_some() {
            targets.push(Message::Back);
        }
        if self.step.next().is_some() {
            targets.push(Message::Next);
        }
        targets
    }

    /// Esc goes one step back.
    pub fn escape(&mut self) -> Option<Message> {
        self.step.previous().map(|_| Message::Back)
    }

    /// Draws the screen; `focused` is the index into [`Self::focusables`]
    /// that has the keyboard focus.
    pub fn view(&self, focused: Option<usize>) -> Element<'_, Message> {
        let stepper = Step::ALL.iter().enumerate().fold(row![].spacing(8), |r, (i, step)| {
            let current = *step == self.step;
            let label =
                text(format!("{}. {}", i + 1, step.title())).font(if current { theme::BOLD } else { theme::REGULAR });
            let pill = container(label)
                .padding([6, 12])
                .style(move |t: &iced::Theme| if current { container::primary(t) } else { container::secondary(t) });
            let r = r.push(pill);
            if i + 1 < Step::ALL.len() { r.push(text("→")) } else { r }
        });
        let targets = self.focusables();
        let is_focused = |m: Message| focused.and_then(|i| targets.get(i)) == Some(&m);
        let back = button(text(fl!("step-back")))
            .on_press_maybe(self.step.previous().map(|_| Message::Back))
            .style(theme::action_button(is_focused(Message::Back)));
        let next = button(text(fl!("step-next")))
            .on_press_maybe(self.step.next().map(|_| Message::Next))
            .style(theme::action_button(is_focused(Message::Next)));
        let (number, total) = ((self.step.index() + 1) as u64, Step::ALL.len() as u64);
        let body = column![
            stepper.align_y(Alignment::Center),
            container(
                column![
                    text(fl!("enrollment-step", number = number, total = total)).size(14),
                    text(self.step.title()).size(22).font(theme::BOLD),
                    text(self.step.body()).size(16),
                    text(fl!("not-built-yet")).size(14).font(theme::MEDIUM),
                ]
                .spacing(10),
            )
            .padding(16)
            .width(Length::Fill)
            .style(theme::card),
            row![back, Space::new().width(Length::Fill), next],
        ]
        .spacing(16);
        super::page(fl!("enrollment-title"), fl!("enrollment-intro"), body.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_go_forward_and_back_within_bounds() {
        let mut e = Enrollment::default();
        assert_eq!(e.focusables(), vec![Message::Next]);
        assert_eq!(e.escape(), None);
        for expected in [Step::Chip, Step::Face, Step::Handover, Step::Handover] {
            let _ = e.update(Message::Next);
            assert_eq!(e.step(), expected);
        }
        assert_eq!(e.focusables(), vec![Message::Back]);
        let _ = e.update(Message::Back);
        assert_eq!(e.step(), Step::Face);
        assert_eq!(e.focusables(), vec![Message::Back, Message::Next]);
    }
}
