//! Where the document goes: the reader seen from above with its
//! contactless mark, and on it a passport open at the photo page or an ID
//! card lying flat; beside it the chip symbol (a rectangle with a circle
//! in it) that tells a person the document has a chip. Drawn from the
//! theme's colours, so it reads in light and dark alike; the words go
//! beside it as ordinary, translated text.

use iced::widget::canvas::{self, Frame, Geometry, Path, Stroke, path::Arc};
use iced::{Color, Point, Radians, Rectangle, Renderer, Size, Theme, Vector, border, mouse};

/// Which document the drawing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A passport booklet, open at the photo page.
    Passport,
    /// An ID card (TD1), flat.
    IdCard,
}

/// The drawing, for `iced::widget::canvas`.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    /// Which document.
    pub shape: Shape,
}

/// The drawing's own units: it is scaled to fit the space it gets.
const DESIGN: Size = Size::new(360.0, 190.0);

fn page(frame: &mut Frame, at: Point, size: Size, paper: Color, ink: Color) {
    let sheet = Path::rounded_rectangle(at, size, border::Radius::new(6.0));
    frame.fill(&sheet, paper);
    frame.stroke(&sheet, Stroke::default().with_color(ink).with_width(2.0));
}

/// A photo box and a few lines of text, as on a data page.
fn data_page(frame: &mut Frame, at: Point, size: Size, ink: Color) {
    let faint = Color { a: 0.45, ..ink };
    let photo = Size::new(size.width * 0.3, size.height * 0.5);
    frame.fill_rectangle(at + Vector::new(8.0, 10.0), photo, faint);
    for row in 0..3 {
        let y = at.y + 14.0 + row as f32 * 12.0;
        let x = at.x + 16.0 + photo.width;
        frame.fill_rectangle(Point::new(x, y), Size::new(size.width - photo.width - 26.0, 4.0), faint);
    }
    // The machine-readable lines at the foot.
    for row in 0..2 {
        let y = at.y + size.height - 20.0 + row as f32 * 8.0;
        frame.fill_rectangle(Point::new(at.x + 8.0, y), Size::new(size.width - 16.0, 3.0), faint);
    }
}

/// The ICAO chip symbol: a rectangle with a circle in the middle.
fn chip_symbol(frame: &mut Frame, centre: Point, ink: Color) {
    let size = Size::new(34.0, 22.0);
    let at = centre - Vector::new(size.width / 2.0, size.height / 2.0);
    let stroke = Stroke::default().with_color(ink).with_width(2.5);
    frame.stroke(&Path::rectangle(at, size), stroke);
    frame.stroke(&Path::circle(centre, 6.5), stroke);
    frame.fill_rectangle(Point::new(at.x, centre.y - 1.25), Size::new(size.width / 2.0 - 6.5, 2.5), ink);
    frame.fill_rectangle(Point::new(centre.x + 6.5, centre.y - 1.25), Size::new(size.width / 2.0 - 6.5, 2.5), ink);
}

impl<Message> canvas::Program<Message> for Placement {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &Renderer,
        theme: &Theme,
        bounds: Rectangle,
        _cursor: mouse::Cursor,
    ) -> Vec<Geometry> {
        let palette = theme.extended_palette();
        let ink = palette.background.base.text;
        let accent = palette.primary.strong.color;
        let paper = Color { a: 0.8, ..palette.background.base.color };
        let mut frame = Frame::new(renderer, bounds.size());
        let scale = (bounds.width / DESIGN.width).min(bounds.height / DESIGN.height);
        frame.translate(Vector::new(
            (bounds.width - DESIGN.width * scale) / 2.0,
            (bounds.height - DESIGN.height * scale) / 2.0,
        ));
        frame.scale(scale);

        // The reader, with its contactless mark: waves from a point.
        let reader =
            Path::rounded_rectangle(Point::new(20.0, 62.0), Size::new(260.0, 118.0), border::Radius::new(14.0));
        frame.fill(&reader, palette.background.strong.color);
        frame.stroke(&reader, Stroke::default().with_color(ink).with_width(2.0));
        let source = Point::new(150.0, 121.0);
        for radius in [14.0, 26.0, 38.0] {
            let wave = Path::new(|p| {
                p.arc(Arc { center: source, radius, start_angle: Radians(-0.7), end_angle: Radians(0.7) });
            });
            frame.stroke(&wave, Stroke::default().with_color(accent).with_width(3.0));
        }

        // The document, over the middle of the reader.
        match self.shape {
            Shape::Passport => {
                let size = Size::new(92.0, 120.0);
                let left = Point::new(58.0, 36.0);
                let right = Point::new(left.x + size.width, left.y);
                page(&mut frame, left, size, paper, ink);
                page(&mut frame, right, size, paper, ink);
                data_page(&mut frame, right, size, ink);
            }
            Shape::IdCard => {
                let size = Size::new(150.0, 95.0);
                let at = Point::new(75.0, 72.0);
                page(&mut frame, at, size, paper, ink);
                data_page(&mut frame, at, size, ink);
            }
        }

        // "Down, flat": an arrow onto the document.
        let arrow = Path::new(|p| {
            p.move_to(Point::new(150.0, 2.0));
            p.line_to(Point::new(150.0, 28.0));
            p.move_to(Point::new(141.0, 19.0));
            p.line_to(Point::new(150.0, 28.0));
            p.line_to(Point::new(159.0, 19.0));
        });
        frame.stroke(&arrow, Stroke::default().with_color(accent).with_width(3.0));

        // The chip symbol to look for on the document.
        chip_symbol(&mut frame, Point::new(318.0, 100.0), ink);

        vec![frame.into_geometry()]
    }
}
