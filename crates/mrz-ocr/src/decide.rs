//! From each cell's candidates to a reading — offered as sure only when
//! nothing says it might be wrong.
//!
//! Each position takes only what its field allows (digits in dates and
//! check digits, letters and fillers in codes and names, `M`/`F`/`X`/`<`
//! for sex). Where the checks fail, the least certain positions are tried
//! with their next-best candidates, and of the combinations that pass every
//! check (check digits, dates, the country codes) the most probable wins:
//! guided correction. A check digit cannot see a swap between symbols of
//! equal value (`<`/`K`/`U`/`0`, `G`/`6`, `Z`/`5`, `I`/`8`, `S`/`8`) and
//! nothing checks a name, so the reading is sure only when every position
//! is certain on its own and no other passing combination comes close.
//! A false accept is the worst outcome: when in doubt, it says so.

use mitid_emrtd::mrz::{Format, Mrz, MrzError};

use crate::alphabet::{COUNT, FILLER, SYMBOLS, is_digit, is_letter};

/// What a position may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A–Z or `<`.
    Letter,
    /// 0–9 (dates; a date may hold `<` for an unknown part).
    Digit,
    /// A check digit: 0–9, or `<` over an empty field.
    Check,
    /// A–Z, 0–9 or `<` (numbers, optional data a check digit covers).
    Any,
    /// A–Z, 0–9 or `<` that no check digit covers (a visa's optional
    /// data).
    Free,
    /// `M`, `F`, `X` or `<`.
    Sex,
    /// The document code's first letter: P for a passport, V for a visa,
    /// I, A or C for an ID card.
    Document(Format),
}

impl Kind {
    fn allows(self, i: usize) -> bool {
        match self {
            Self::Letter => is_letter(i) || i == FILLER,
            Self::Digit | Self::Check => is_digit(i) || i == FILLER,
            Self::Any | Self::Free => true,
            Self::Sex => matches!(SYMBOLS[i], b'M' | b'F' | b'X' | b'<'),
            Self::Document(format) => match format {
                Format::Td3 => SYMBOLS[i] == b'P',
                Format::MrvA | Format::MrvB => SYMBOLS[i] == b'V',
                Format::Td1 | Format::Td2 => matches!(SYMBOLS[i], b'I' | b'A' | b'C'),
            },
        }
    }

    /// Whether a check digit looks over this position.
    fn checked(self) -> bool {
        matches!(self, Self::Digit | Self::Check | Self::Any)
    }
}

/// Runs of (kind, length) for each line of a layout.
fn layout(format: Format) -> Vec<Vec<(Kind, usize)>> {
    use Kind::{Any, Check, Digit, Document, Free, Letter, Sex};
    let names = |n| vec![(Document(format), 1), (Letter, 1), (Letter, 3), (Letter, n)];
    let data = |optional: usize, composite: bool| {
        let mut line =
            vec![(Any, 9), (Check, 1), (Letter, 3), (Digit, 6), (Check, 1), (Sex, 1), (Digit, 6), (Check, 1)];
        // A visa's optional data has no composite check digit over it.
        line.push((if composite || format == Format::Td3 { Any } else { Free }, optional));
        if composite {
            line.push((Check, 1));
        }
        line
    };
    match format {
        Format::Td3 => vec![names(39), {
            let mut l = data(14, false);
            l.extend([(Check, 1), (Check, 1)]);
            l
        }],
        Format::MrvA => vec![names(39), data(16, false)],
        Format::Td2 => vec![names(31), data(7, true)],
        Format::MrvB => vec![names(31), data(8, false)],
        Format::Td1 => vec![
            vec![(Document(format), 1), (Letter, 1), (Letter, 3), (Any, 9), (Check, 1), (Any, 15)],
            vec![(Digit, 6), (Check, 1), (Sex, 1), (Digit, 6), (Check, 1), (Letter, 3), (Any, 11), (Check, 1)],
            vec![(Letter, 30)],
        ],
    }
}

/// The layouts a set of lines of these lengths can be.
fn formats(lengths: &[usize]) -> &'static [Format] {
    match lengths {
        [30, 30, 30] => &[Format::Td1],
        [36, 36] => &[Format::Td2, Format::MrvB],
        [44, 44] => &[Format::Td3, Format::MrvA],
        _ => &[],
    }
}

/// How sure a position must be on its own for the reading to be sure:
/// where a check digit looks, and where none does.
const SURE_CHECKED: f32 = 0.9;
const SURE_UNCHECKED: f32 = 0.995;
/// How much likelier the reading must be than the next combination that
/// also passes every check.
const MARGIN: f32 = 50.0;
/// The least certain positions tried again, and candidates for each.
const TRIED: usize = 8;
const ALTERNATIVES: usize = 3;
/// A position this sure is not tried with another candidate.
const CERTAIN: f32 = 0.995;
/// A candidate less likely than this is not tried.
const UNLIKELY: f32 = 0.001;
/// A symbol its field does not allow is taken as printed when the model
/// is this sure of it.
const AS_PRINTED: f32 = 0.99;

/// A reading of the lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The lines as read (after guided correction).
    pub lines: Vec<String>,
    /// The layout, when the lines have one's shape.
    pub format: Option<Format>,
    /// Whether it passes every check (check digits, dates, country codes).
    pub checks_pass: bool,
    /// What fails, in words, when something does.
    pub problem: Option<String>,
    /// Positions (line, column, both from 0) the correction changed from
    /// the first choice.
    pub corrected: Vec<(usize, usize)>,
    /// Offered as sure: every check holds, every position is certain, and
    /// no other passing reading comes close.
    pub accepted: bool,
}

/// Decides on `cells`: for each line, each cell's probability per symbol.
pub fn decide(cells: &[Vec<[f32; COUNT]>]) -> Reading {
    let lengths: Vec<usize> = cells.iter().map(Vec::len).collect();
    let first_choice: Vec<String> = cells.iter().map(|line| line.iter().map(|p| best(p, |_| true)).collect()).collect();
    let unreadable = |problem: String| Reading {
        lines: first_choice.clone(),
        format: None,
        checks_pass: false,
        problem: Some(problem),
        corrected: Vec::new(),
        accepted: false,
    };
    let candidates = formats(&lengths);
    if candidates.is_empty() {
        return unreadable(format!("{} line(s) of {:?} symbols is no MRZ layout", lengths.len(), lengths));
    }
    // The layout by the document code's first letter as read (V: a visa).
    // (Of the letters a document code may start with, whichever the
    // first cell holds likeliest.)
    let visa = cells
        .first()
        .and_then(|l| l.first())
        .is_some_and(|p| best(p, |i| matches!(SYMBOLS[i], b'P' | b'V' | b'I' | b'A' | b'C')) == 'V');
    let format = match candidates {
        [only] => *only,
        [document, visa_format] => {
            if visa {
                *visa_format
            } else {
                *document
            }
        }
        _ => candidates[0],
    };
    let kinds: Vec<Vec<Kind>> = layout(format)
        .iter()
        .map(|runs| runs.iter().flat_map(|(k, n)| std::iter::repeat_n(*k, *n)).collect())
        .collect();

    // Each position's candidates within its kind, most probable first,
    // each as likely as it is among what the field allows — and the
    // model's doubt that the cell holds a symbol at all. A symbol the field
    // does not allow but the model is sure of is what is printed (a
    // document may print a wrong one): it stays first, and the checks say
    // what is wrong.
    let mut options: Vec<Vec<Vec<(usize, f32)>>> = Vec::new();
    for (line, kinds) in cells.iter().zip(&kinds) {
        let mut row = Vec::new();
        for (p, kind) in line.iter().zip(kinds) {
            let doubt = (1.0 - p.iter().sum::<f32>()).max(0.0);
            let top = (0..COUNT).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap_or(FILLER);
            // (Not O for 0 or 0 for O: OCR-B's two hardly differ.)
            let printed = !kind.allows(top) && p[top] >= AS_PRINTED && !matches!(SYMBOLS[top], b'0' | b'O');
            let allowed = |i: usize| kind.allows(i) || (printed && i == top);
            let total: f32 = (0..COUNT).filter(|i| allowed(*i)).map(|i| p[i]).sum::<f32>() + doubt;
            let mut ranked: Vec<(usize, f32)> =
                (0..COUNT).filter(|i| allowed(*i)).map(|i| (i, p[i] / total.max(1e-12))).collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            row.push(ranked);
        }
        options.push(row);
    }
    let text = |choice: &[Vec<usize>]| -> Vec<String> {
        choice.iter().map(|l| l.iter().map(|i| char::from(SYMBOLS[*i])).collect()).collect()
    };
    let first: Vec<Vec<usize>> = options.iter().map(|l| l.iter().map(|o| o[0].0).collect()).collect();

    // The least certain positions, and every combination of their
    // candidates (most probable first) that passes.
    let mut doubtful: Vec<(usize, usize, f32)> = options
        .iter()
        .enumerate()
        .flat_map(|(l, row)| row.iter().enumerate().map(move |(c, o)| (l, c, o[0].1)))
        .collect();
    doubtful.retain(|d| d.2 < CERTAIN);
    doubtful.sort_by(|a, b| a.2.total_cmp(&b.2));
    doubtful.truncate(TRIED);
    let mut passing: Vec<(f32, Vec<Vec<usize>>)> = Vec::new();
    let mut first_problem = None;
    let mut choice = first.clone();
    let combos = doubtful.iter().fold(1usize, |n, (l, c, _)| n * options[*l][*c].len().min(ALTERNATIVES));
    for n in 0..combos {
        let mut rest = n;
        let mut score = 0f32;
        let mut plausible = true;
        for (l, c, _) in &doubtful {
            let k = options[*l][*c].len().min(ALTERNATIVES);
            let (symbol, p) = options[*l][*c][rest % k];
            rest /= k;
            if p < UNLIKELY {
                plausible = false;
                break;
            }
            choice[*l][*c] = symbol;
            score += p.ln();
        }
        if !plausible {
            continue;
        }
        match check(&text(&choice)) {
            Ok(()) => passing.push((score, choice.clone())),
            Err(problem) => {
                if n == 0 {
                    first_problem = Some(problem);
                }
            }
        }
    }
    passing.sort_by(|a, b| b.0.total_cmp(&a.0));
    let Some((score, chosen)) = passing.first().cloned() else {
        let mut reading = unreadable(first_problem.unwrap_or_else(|| "the checks fail".into()));
        reading.lines = text(&first);
        reading.format = Some(format);
        return reading;
    };
    let corrected: Vec<(usize, usize)> = chosen
        .iter()
        .enumerate()
        .flat_map(|(l, line)| line.iter().enumerate().map(move |(c, s)| (l, c, *s)))
        .filter(|(l, c, s)| first[*l][*c] != *s)
        .map(|(l, c, _)| (l, c))
        .collect();
    // Sure is the model's own probability, not its share of what the
    // field allows (a name's O read as D with 0 runner-up is no sure D),
    // but for O and 0, which OCR-B hardly tells apart and the field does:
    // they count together where the field allows one. The document code's
    // letter is the field rule's (P, V, or I/A/C).
    let sure = |l: usize, c: usize, s: usize| -> f32 {
        let raw = &cells[l][c];
        match kinds[l][c] {
            Kind::Document(_) => options[l][c].iter().find(|(i, _)| *i == s).map_or(0.0, |o| o.1),
            kind => {
                let twin = match SYMBOLS[s] {
                    b'O' => index_of(b'0'),
                    b'0' => index_of(b'O'),
                    _ => None,
                };
                raw[s] + twin.filter(|t| !kind.allows(*t)).map_or(0.0, |t| raw[t])
            }
        }
    };
    // A symbol its field does not allow is as printed, and never sure.
    // Where a check digit looks, it cannot tell symbols of one value apart
    // (0, U, K, <; G, 6; Z, 5; I, S, 8 …): a plausible one of the same
    // value leaves the position as unchecked as a name.
    let blind = |l: usize, c: usize, s: usize| {
        (0..COUNT).any(|t| t != s && kinds[l][c].allows(t) && cells[l][c][t] >= UNLIKELY && value(t) == value(s))
    };
    // And where neither a check digit nor a field rule tells O from 0 (a
    // visa's optional data), OCR-B's near-twins are never sure.
    let twins = |l: usize, c: usize, s: usize| kinds[l][c] == Kind::Free && matches!(SYMBOLS[s], b'O' | b'0');
    let certain = chosen.iter().enumerate().all(|(l, line)| {
        line.iter().enumerate().all(|(c, s)| {
            let checked = kinds[l][c].checked() && !blind(l, c, *s);
            kinds[l][c].allows(*s)
                && !twins(l, c, *s)
                && sure(l, c, *s) >= if checked { SURE_CHECKED } else { SURE_UNCHECKED }
        })
    });
    let clear = passing.get(1).is_none_or(|(runner_up, _)| score - runner_up >= MARGIN.ln());
    Reading {
        lines: text(&chosen),
        format: Some(format),
        checks_pass: true,
        problem: None,
        corrected,
        accepted: certain && clear,
    }
}

/// Every check of the lines: the layout's own (check digits, dates, codes)
/// and the issuing state's and nationality's codes being ICAO's.
fn check(lines: &[String]) -> Result<(), String> {
    let mrz = Mrz::parse(&lines.join("\n")).map_err(|e| match e {
        MrzError::CheckDigits(fields) => format!("check digits fail: {fields:?}"),
        other => other.to_string(),
    })?;
    for (what, code) in [("issuing state", &mrz.issuer), ("nationality", &mrz.nationality)] {
        if mitid_core::country::name(code, mitid_core::config::Language::En).is_none() {
            return Err(format!("the {what} «{code}» is no ICAO code"));
        }
    }
    Ok(())
}

/// What a check digit counts symbol `i` as, modulo 10.
fn value(i: usize) -> usize {
    if i == FILLER { 0 } else { i % 10 }
}

fn index_of(c: u8) -> Option<usize> {
    SYMBOLS.iter().position(|s| *s == c)
}

/// The most probable symbol among those `allowed`.
fn best(p: &[f32; COUNT], allowed: impl Fn(usize) -> bool) -> char {
    let i = (0..COUNT).filter(|i| allowed(*i)).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap_or(FILLER);
    char::from(SYMBOLS[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alphabet::index;

    const SPECIMEN: [&str; 2] =
        ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];

    /// One doubtful cell: (line, column, [(symbol, probability)]).
    type Doubt<'a> = (usize, usize, &'a [(u8, f32)]);

    /// Cells that are sure of `lines`, except where `doubt` says otherwise.
    fn cells(lines: &[&str], doubt: &[Doubt]) -> Vec<Vec<[f32; COUNT]>> {
        let mut out: Vec<Vec<[f32; COUNT]>> = lines
            .iter()
            .map(|l| {
                l.bytes()
                    .map(|c| {
                        let mut p = [0.0001; COUNT];
                        p[index(c).unwrap()] = 1.0 - 0.0036;
                        p
                    })
                    .collect()
            })
            .collect();
        for (l, c, alternatives) in doubt {
            let mut p = [0.0001; COUNT];
            for (symbol, q) in *alternatives {
                p[index(*symbol).unwrap()] = *q;
            }
            out[*l][*c] = p;
        }
        out
    }

    #[test]
    fn a_clear_reading_is_accepted_as_it_was_read() {
        let reading = decide(&cells(&SPECIMEN, &[]));
        assert_eq!(reading.lines, SPECIMEN);
        assert_eq!(reading.format, Some(Format::Td3));
        assert!(reading.checks_pass && reading.accepted && reading.corrected.is_empty());
    }

    #[test]
    fn a_digit_read_as_a_letter_is_put_right_by_its_field_and_check() {
        // The birth date's 8 read as B (a letter cannot be in a date), and
        // the document number's 9 half-read as 4 (its check digit decides).
        let reading =
            decide(&cells(&SPECIMEN, &[(1, 16, &[(b'B', 0.9), (b'8', 0.09)]), (1, 4, &[(b'4', 0.5), (b'9', 0.45)])]));
        assert_eq!(reading.lines, SPECIMEN);
        assert!(reading.checks_pass);
        assert!(reading.corrected.contains(&(1, 4)));
        // Put right, but not sure enough to offer without a look.
        assert!(!reading.accepted);
    }

    #[test]
    fn what_no_check_covers_is_never_accepted_when_it_is_in_doubt() {
        // UTO/UTQ in the issuing state, ANNA/ANMA in the name: the check
        // digits cannot tell.
        let name = decide(&cells(&SPECIMEN, &[(0, 17, &[(b'N', 0.8), (b'M', 0.19)])]));
        assert!(name.checks_pass && !name.accepted, "{name:?}");
        // A swap the 7-3-1 check cannot see (< for K in the optional data).
        let filler = decide(&cells(&SPECIMEN, &[(1, 37, &[(b'<', 0.6), (b'K', 0.39)])]));
        assert!(filler.checks_pass && !filler.accepted, "{filler:?}");
    }

    #[test]
    fn a_reading_no_correction_can_save_is_refused_and_says_why() {
        // A check digit read as 1 and sure of it.
        let reading = decide(&cells(&SPECIMEN, &[(1, 9, &[(b'1', 0.999)])]));
        assert!(!reading.checks_pass && !reading.accepted);
        assert!(reading.problem.unwrap().contains("check digit"));
        let short = decide(&cells(&["P<UTO"], &[]));
        assert!(!short.accepted && short.format.is_none());
        let unknown = decide(&cells(&["P<QQQERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", SPECIMEN[1]], &[]));
        assert!(!unknown.accepted && unknown.problem.unwrap().contains("ICAO"));
    }
}
