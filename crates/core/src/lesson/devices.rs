//! What the demo devices are doing, shared between the trainer's panel
//! (which changes it) and the simulated reader, camera and service (which
//! read it while they work, on their own threads). Faults that happen once
//! — the next chip exchange goes wrong — are taken by the first exchange
//! that sees them.

use std::sync::{Arc, Mutex};

use super::{CameraSetup, FaultKind, ServiceSetup};

/// What the next exchange with the demo chip does instead of answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChipFault {
    /// The card is lost (it slipped); it is back at the next reconnect.
    Slip,
    /// An answer that means nothing.
    Garbage,
}

/// Why the demo camera gives no picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CameraProblem {
    /// It was unplugged.
    Lost,
    /// Another program has it.
    Busy,
    /// There is none.
    Missing,
}

/// The demo devices' state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceState {
    /// The reader is plugged in.
    pub plugged: bool,
    /// The smart-card service runs.
    pub pcsc_running: bool,
    /// A document lies on the reader.
    pub document: bool,
    /// What the next chip exchange does wrong.
    pub chip_fault: Option<ChipFault>,
    /// The chip does not answer (until put right).
    pub silent: bool,
    /// The chip refuses the key it is opened with (as with a mistyped
    /// MRZ or CAN), until put right.
    pub denies: bool,
    /// Who or what the camera shows.
    pub camera: CameraSetup,
    /// Why the camera gives no picture.
    pub camera_problem: Option<CameraProblem>,
    /// The phone-linking SMS arrives.
    pub sms_arrives: bool,
    /// How the service behaves.
    pub service: ServiceSetup,
    /// The lesson's own document, for the reader to hold and the camera
    /// to show the holder of.
    pub own: Option<Arc<super::LessonDocument>>,
}

impl Default for DeviceState {
    fn default() -> Self {
        Self {
            plugged: true,
            pcsc_running: true,
            document: true,
            chip_fault: None,
            denies: false,
            silent: false,
            camera: CameraSetup::Holder,
            camera_problem: None,
            sms_arrives: true,
            service: ServiceSetup::Up,
            own: None,
        }
    }
}

impl DeviceState {
    /// As a lesson sets them up.
    pub fn for_lesson(lesson: &super::Lesson) -> Self {
        let camera_problem = match lesson.camera {
            CameraSetup::None => Some(CameraProblem::Missing),
            CameraSetup::Busy => Some(CameraProblem::Busy),
            _ => None,
        };
        Self {
            document: lesson.reader != super::ReaderSetup::Empty,
            camera: lesson.camera,
            camera_problem,
            service: lesson.service,
            own: lesson.document.clone().map(Arc::new),
            ..Self::default()
        }
    }

    /// The reader put right: plugged in, its service running, the
    /// document on it, the chip answering as it should.
    pub fn restore_reader(&mut self) {
        let fine = Self::default();
        self.plugged = fine.plugged;
        self.pcsc_running = fine.pcsc_running;
        self.document = fine.document;
        self.denies = fine.denies;
        self.silent = fine.silent;
        self.chip_fault = fine.chip_fault;
    }

    /// The camera put right: there, free, the light on (who stands before
    /// it stays).
    pub fn restore_camera(&mut self) {
        self.camera_problem = None;
        if self.camera == CameraSetup::Dark {
            self.camera = CameraSetup::Holder;
        }
    }

    /// What a fault does to the devices (the clock's and the screen's
    /// part is the app's).
    pub fn apply(&mut self, fault: FaultKind) {
        match fault {
            FaultKind::CardSlips => self.chip_fault = Some(ChipFault::Slip),
            FaultKind::DocumentTaken => self.document = false,
            FaultKind::ReaderUnplugged => self.plugged = false,
            FaultKind::PcscStopped => self.pcsc_running = false,
            FaultKind::ChipTimeout => self.silent = true,
            FaultKind::ChipGarbage => self.chip_fault = Some(ChipFault::Garbage),
            FaultKind::AccessDenied => self.denies = true,
            FaultKind::SupportCloses => {}
            FaultKind::NoSms => self.sms_arrives = false,
            FaultKind::CameraLost => self.camera_problem = Some(CameraProblem::Lost),
            FaultKind::CameraBusy => self.camera_problem = Some(CameraProblem::Busy),
            FaultKind::CameraDark => self.camera = CameraSetup::Dark,
            FaultKind::SomeoneElse => self.camera = CameraSetup::SomeoneElse,
            FaultKind::ServiceDown => self.service = ServiceSetup::Down,
            FaultKind::ServiceSlow => self.service = ServiceSetup::Slow,
            FaultKind::ServiceUp => self.service = ServiceSetup::Up,
        }
    }
}

/// The demo devices, shared.
#[derive(Debug, Clone, Default)]
pub struct Devices(Arc<Mutex<DeviceState>>);

/// The same devices (a subscription that follows them is keyed by them).
impl PartialEq for Devices {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Devices {}

impl std::hash::Hash for Devices {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.0), state);
    }
}

impl Devices {
    /// Their state now.
    pub fn get(&self) -> DeviceState {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Changes their state.
    pub fn change<T>(&self, f: impl FnOnce(&mut DeviceState) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// For the chip's next exchange: what it does wrong, if anything
    /// (taken: it happens once).
    pub fn take_chip_fault(&self) -> Option<ChipFault> {
        self.change(|state| state.chip_fault.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chip_fault_happens_once() {
        let devices = Devices::default();
        assert_eq!(devices.take_chip_fault(), None);
        devices.change(|s| s.apply(FaultKind::CardSlips));
        assert_eq!(devices.take_chip_fault(), Some(ChipFault::Slip));
        assert_eq!(devices.take_chip_fault(), None);
        devices.change(|s| s.apply(FaultKind::ChipGarbage));
        assert_eq!((devices.take_chip_fault(), devices.take_chip_fault()), (Some(ChipFault::Garbage), None));
        assert_eq!(devices.clone(), devices, "the same devices, shared");
        assert_ne!(Devices::default(), devices);
    }

    #[test]
    fn every_fault_kind_changes_the_devices_but_the_clocks_and_the_way_back() {
        for kind in FaultKind::ALL {
            let mut state = DeviceState::default();
            state.apply(kind);
            let unchanged = matches!(kind, FaultKind::SupportCloses | FaultKind::ServiceUp);
            assert_eq!(state == DeviceState::default(), unchanged, "{kind:?}");
        }
        let mut state = DeviceState::default();
        state.apply(FaultKind::ServiceDown);
        state.apply(FaultKind::ServiceUp);
        assert_eq!(state, DeviceState::default());
        // Every reader fault, put right at once; the camera's likewise,
        // someone else staying before it.
        let reader = [
            FaultKind::CardSlips,
            FaultKind::DocumentTaken,
            FaultKind::ReaderUnplugged,
            FaultKind::PcscStopped,
            FaultKind::ChipTimeout,
            FaultKind::ChipGarbage,
            FaultKind::AccessDenied,
        ];
        reader.iter().for_each(|k| state.apply(*k));
        state.restore_reader();
        assert_eq!(state, DeviceState::default());
        [FaultKind::CameraLost, FaultKind::CameraDark].iter().for_each(|k| state.apply(*k));
        state.restore_camera();
        assert_eq!(state, DeviceState::default());
        state.apply(FaultKind::SomeoneElse);
        state.apply(FaultKind::CameraBusy);
        state.restore_camera();
        assert_eq!((state.camera, state.camera_problem), (CameraSetup::SomeoneElse, None));
    }
}
