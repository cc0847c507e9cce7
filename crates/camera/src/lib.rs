#![warn(missing_docs)]
//! Webcams for mitid-assist, through nokhwa (V4L2 on Linux, Media
//! Foundation on Windows, AVFoundation on macOS): which cameras there are,
//! which picture sizes each offers, the size to use, frames decoded to RGB
//! here, and errors sorted into what a person can act on — no camera, the
//! camera busy in another program, no permission, unplugged.
//!
//! The choices (which size, which pixel format) and the decoding are plain
//! functions tested without hardware; [`Webcam`] is the thin part that
//! talks to the device.

pub mod convert;

use convert::{FrameError, Pixels};
#[cfg(feature = "device")]
pub use device::*;

/// A camera the system offers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CameraInfo {
    /// The backend's index (on Linux, N of /dev/videoN).
    pub index: u32,
    /// Its name, as the driver gives it.
    pub name: String,
}

/// One way a camera can deliver pictures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Format {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Frames a second.
    pub fps: u32,
    /// How pixels are packed.
    pub pixels: Pixels,
}

/// Why the camera cannot be used, sorted by what the person can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CameraError {
    /// None connected.
    #[error("no camera is connected")]
    NoCamera,
    /// Another program has it.
    #[error("the camera is in use by another program")]
    Busy,
    /// The operating system does not let this user use it.
    #[error("no permission to use the camera")]
    NoPermission,
    /// It went away (unplugged).
    #[error("the camera was disconnected")]
    Gone,
    /// It offers no picture this app can read.
    #[error("the camera offers no picture format this app reads")]
    NoFormat,
    /// A frame could not be decoded.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// Something else; the detail is the backend's.
    #[error("the camera failed: {0}")]
    Other(String),
}

/// Sorts a backend's error text into what a person can act on: the OS
/// error number where the text carries one (`(os error 16)`), else the
/// platforms' own codes and words.
pub fn classify(detail: &str) -> CameraError {
    let code = detail
        .rfind("(os error ")
        .and_then(|at| detail[at + 10..].split(')').next())
        .and_then(|n| n.trim().parse::<i32>().ok());
    match code {
        // EPERM, EACCES
        Some(1 | 13) => return CameraError::NoPermission,
        // EBUSY
        Some(16) => return CameraError::Busy,
        // ENOENT, ENXIO, ENODEV: the node or the device is gone.
        Some(2 | 6 | 19) => return CameraError::Gone,
        _ => {}
    }
    let lower = detail.to_ascii_lowercase();
    if lower.contains("0x80070005") || lower.contains("access is denied") || lower.contains("not authorized") {
        CameraError::NoPermission
    } else if lower.contains("0xc00d3704") || lower.contains("in use") || lower.contains("busy") {
        CameraError::Busy
    } else if lower.contains("failed to fufill") || lower.contains("failed to fulfill") {
        CameraError::NoFormat
    } else {
        CameraError::Other(detail.to_owned())
    }
}

/// The size asked for when none was chosen: detection runs at 640 wide,
/// and a larger picture only costs time.
pub const DEFAULT_SIZE: (u32, u32) = (640, 480);

/// Below this a live picture stutters.
pub const MIN_FPS: u32 = 15;

/// The format to use: the size chosen (`wanted`) if the camera offers it,
/// else the smallest at least [`DEFAULT_SIZE`] wide, else the largest; at
/// that size the rate nearest 30 fps among those ≥ [`MIN_FPS`], and of
/// equals YUYV or NV12 (no decoding) before MJPEG.
pub fn choose(formats: &[Format], wanted: Option<(u32, u32)>) -> Option<Format> {
    let sizes = sizes(formats);
    let size = wanted.filter(|w| sizes.contains(w)).or_else(|| {
        sizes
            .iter()
            .copied()
            .filter(|(w, _)| *w >= DEFAULT_SIZE.0)
            .min_by_key(|(w, h)| u64::from(*w) * u64::from(*h))
            .or_else(|| sizes.iter().copied().max_by_key(|(w, h)| u64::from(*w) * u64::from(*h)))
    })?;
    let cost = |p: Pixels| match p {
        Pixels::Yuyv | Pixels::Nv12 | Pixels::Rgb | Pixels::Bgr => 0,
        Pixels::Mjpeg => 1,
        Pixels::Gray => 2,
    };
    formats.iter().copied().filter(|f| (f.width, f.height) == size).min_by_key(|f| {
        let slow = f.fps < MIN_FPS;
        (slow, f.fps.abs_diff(30), cost(f.pixels))
    })
}

/// The distinct sizes among `formats`, largest first.
pub fn sizes(formats: &[Format]) -> Vec<(u32, u32)> {
    let mut sizes: Vec<(u32, u32)> = formats.iter().map(|f| (f.width, f.height)).collect();
    sizes.sort_by_key(|(w, h)| std::cmp::Reverse(u64::from(*w) * u64::from(*h)));
    sizes.dedup();
    sizes
}

/// The devices to try, in order: those of the camera chosen before (by
/// name; a UVC camera has a second, picture-less node of the same name)
/// when connected, else every camera.
pub fn candidates<'a>(cameras: &'a [CameraInfo], preferred: Option<&str>) -> Vec<&'a CameraInfo> {
    let named: Vec<&CameraInfo> = cameras.iter().filter(|c| Some(c.name.as_str()) == preferred).collect();
    if named.is_empty() { cameras.iter().collect() } else { named }
}

/// The cameras' names for a picker: each once (a UVC camera lists a
/// second node of the same name), in order.
pub fn names(cameras: &[CameraInfo]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for camera in cameras {
        if !names.contains(&camera.name) {
            names.push(camera.name.clone());
        }
    }
    names
}

#[cfg(feature = "device")]
mod device {
    //! The devices, through nokhwa.
    use super::{CameraError, CameraInfo, Format, candidates, choose, classify, convert};
    use crate::convert::Pixels;
    use mitid_emrtd::face::Rgb;

    /// The cameras connected now.
    pub fn list() -> Result<Vec<CameraInfo>, CameraError> {
        let found = nokhwa::query(nokhwa::utils::ApiBackend::Auto).map_err(|e| classify(&e.to_string()))?;
        let mut cameras: Vec<CameraInfo> = found
            .into_iter()
            .filter_map(|info| match info.index() {
                nokhwa::utils::CameraIndex::Index(index) => Some(CameraInfo { index: *index, name: info.human_name() }),
                nokhwa::utils::CameraIndex::String(_) => None,
            })
            .collect();
        cameras.sort_by_key(|c| c.index);
        Ok(cameras)
    }

    fn pixels_of(format: nokhwa::utils::FrameFormat) -> Pixels {
        use nokhwa::utils::FrameFormat as F;
        match format {
            F::MJPEG => Pixels::Mjpeg,
            F::YUYV => Pixels::Yuyv,
            F::NV12 => Pixels::Nv12,
            F::GRAY => Pixels::Gray,
            F::RAWRGB => Pixels::Rgb,
            F::RAWBGR => Pixels::Bgr,
        }
    }

    fn frame_format_of(pixels: Pixels) -> nokhwa::utils::FrameFormat {
        use nokhwa::utils::FrameFormat as F;
        match pixels {
            Pixels::Mjpeg => F::MJPEG,
            Pixels::Yuyv => F::YUYV,
            Pixels::Nv12 => F::NV12,
            Pixels::Gray => F::GRAY,
            Pixels::Rgb => F::RAWRGB,
            Pixels::Bgr => F::RAWBGR,
        }
    }

    const ALL_FORMATS: [nokhwa::utils::FrameFormat; 6] = [
        nokhwa::utils::FrameFormat::YUYV,
        nokhwa::utils::FrameFormat::NV12,
        nokhwa::utils::FrameFormat::MJPEG,
        nokhwa::utils::FrameFormat::RAWRGB,
        nokhwa::utils::FrameFormat::RAWBGR,
        nokhwa::utils::FrameFormat::GRAY,
    ];

    /// The camera opened (not streaming) and what it offers.
    fn probe(camera: &CameraInfo) -> Result<(nokhwa::Camera, Vec<Format>), CameraError> {
        use nokhwa::utils::{CameraIndex, RequestedFormat, RequestedFormatType};
        let fail = |e: nokhwa::NokhwaError| classify(&e.to_string());
        let request = RequestedFormat::with_formats(RequestedFormatType::None, &ALL_FORMATS);
        let mut device = nokhwa::Camera::new(CameraIndex::Index(camera.index), request).map_err(fail)?;
        let formats = device
            .compatible_camera_formats()
            .map_err(fail)?
            .into_iter()
            .map(|f| Format {
                width: f.width(),
                height: f.height(),
                fps: f.frame_rate(),
                pixels: pixels_of(f.format()),
            })
            .collect();
        Ok((device, formats))
    }

    /// What `camera` offers, without starting it.
    pub fn formats(camera: &CameraInfo) -> Result<Vec<Format>, CameraError> {
        probe(camera).map(|(_, formats)| formats)
    }

    /// An open camera, streaming.
    pub struct Webcam {
        camera: nokhwa::Camera,
        /// The camera.
        pub info: CameraInfo,
        /// The format in use.
        pub format: Format,
        /// Everything it offers.
        pub formats: Vec<Format>,
    }

    impl std::fmt::Debug for Webcam {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Webcam").field("info", &self.info).field("format", &self.format).finish_non_exhaustive()
        }
    }

    impl Webcam {
        /// Opens `camera` at the size `wanted` (or the default) and starts it.
        pub fn open(camera: &CameraInfo, wanted: Option<(u32, u32)>) -> Result<Self, CameraError> {
            use nokhwa::utils::{RequestedFormat, RequestedFormatType};
            let fail = |e: nokhwa::NokhwaError| classify(&e.to_string());
            let (mut device, formats) = probe(camera)?;
            let format = choose(&formats, wanted).ok_or(CameraError::NoFormat)?;
            let exact = nokhwa::utils::CameraFormat::new_from(
                format.width,
                format.height,
                frame_format_of(format.pixels),
                format.fps,
            );
            let pixel_format = [exact.format()];
            device
                .set_camera_requset(RequestedFormat::with_formats(RequestedFormatType::Exact(exact), &pixel_format))
                .map_err(fail)?;
            device.open_stream().map_err(fail)?;
            Ok(Self { camera: device, info: camera.clone(), format, formats })
        }

        /// The next frame (blocks until the camera delivers it).
        pub fn frame(&mut self) -> Result<Rgb, CameraError> {
            let buffer = self.camera.frame().map_err(|e| match classify(&e.to_string()) {
                // A read that fails for no named reason mid-stream: unplugged.
                CameraError::Other(_) => CameraError::Gone,
                other => other,
            })?;
            let size = buffer.resolution();
            Ok(convert::decode(pixels_of(buffer.source_frame_format()), buffer.buffer(), size.width(), size.height())?)
        }
    }

    impl Drop for Webcam {
        fn drop(&mut self) {
            let _ = self.camera.stop_stream();
        }
    }

    /// Opens the camera chosen before (by name), else the first that gives
    /// a picture, at `wanted`. A device without pictures (a metadata node)
    /// is passed over; the camera busy or forbidden is said, not swapped
    /// for another behind the agent's back.
    pub fn open(preferred: Option<&str>, wanted: Option<(u32, u32)>) -> Result<Webcam, CameraError> {
        let cameras = list()?;
        let mut error = CameraError::NoCamera;
        for candidate in candidates(&cameras, preferred) {
            match Webcam::open(candidate, wanted) {
                Ok(webcam) => return Ok(webcam),
                Err(CameraError::NoFormat) => error = CameraError::NoFormat,
                Err(other) => return Err(other),
            }
        }
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(width: u32, height: u32, fps: u32, pixels: Pixels) -> Format {
        Format { width, height, fps, pixels }
    }

    #[test]
    fn os_errors_are_sorted_into_what_a_person_can_do() {
        assert_eq!(
            classify("Could not open device 0: V4L2 Error: Permission denied (os error 13)"),
            CameraError::NoPermission
        );
        assert_eq!(classify("Could not open device stream: Device or resource busy (os error 16)"), CameraError::Busy);
        assert_eq!(classify("Could not capture frame: No such device (os error 19)"), CameraError::Gone);
        assert_eq!(
            classify("Could not open device 3: V4L2 Error: No such file or directory (os error 2)"),
            CameraError::Gone
        );
        assert_eq!(classify("MF error 0x80070005"), CameraError::NoPermission);
        assert_eq!(classify("Could not get device property CameraFormat: Failed to Fufill"), CameraError::NoFormat);
        assert!(matches!(classify("something odd (os error 5)"), CameraError::Other(_)));
        assert!(matches!(classify("(os error "), CameraError::Other(_)));
    }

    #[test]
    fn the_size_chosen_wins_else_vga_else_the_largest() {
        let formats = [
            f(1280, 720, 30, Pixels::Mjpeg),
            f(1280, 720, 10, Pixels::Yuyv),
            f(640, 480, 30, Pixels::Yuyv),
            f(640, 480, 30, Pixels::Mjpeg),
            f(320, 240, 30, Pixels::Yuyv),
        ];
        // Not chosen: 640×480, YUYV (no decoding) over MJPEG.
        assert_eq!(choose(&formats, None), Some(f(640, 480, 30, Pixels::Yuyv)));
        // Chosen 720p: YUYV is too slow there, MJPEG is taken.
        assert_eq!(choose(&formats, Some((1280, 720))), Some(f(1280, 720, 30, Pixels::Mjpeg)));
        // A size the camera does not offer: the default.
        assert_eq!(choose(&formats, Some((800, 600))), Some(f(640, 480, 30, Pixels::Yuyv)));
        // A small camera: its largest.
        assert_eq!(choose(&formats[4..], None), Some(f(320, 240, 30, Pixels::Yuyv)));
        assert_eq!(choose(&[], None), None);
        // Of several rates, the one nearest 30.
        let rates = [f(640, 480, 60, Pixels::Yuyv), f(640, 480, 25, Pixels::Yuyv), f(640, 480, 5, Pixels::Yuyv)];
        assert_eq!(choose(&rates, None), Some(f(640, 480, 25, Pixels::Yuyv)));
        assert_eq!(sizes(&formats), [(1280, 720), (640, 480), (320, 240)]);
    }

    #[test]
    fn the_camera_chosen_before_is_found_by_name() {
        let cameras = [
            CameraInfo { index: 0, name: "Integrated Camera".into() },
            CameraInfo { index: 1, name: "Integrated Camera".into() },
            CameraInfo { index: 2, name: "Logitech C920".into() },
            CameraInfo { index: 3, name: "Logitech C920".into() },
        ];
        let indexes = |preferred| candidates(&cameras, preferred).iter().map(|c| c.index).collect::<Vec<_>>();
        assert_eq!(indexes(Some("Logitech C920")), [2, 3], "its nodes only");
        assert_eq!(indexes(Some("unplugged")), [0, 1, 2, 3], "gone: any that works");
        assert_eq!(indexes(None), [0, 1, 2, 3]);
        assert!(candidates(&[], None).is_empty());
        assert_eq!(names(&cameras), ["Integrated Camera", "Logitech C920"]);
    }
}
