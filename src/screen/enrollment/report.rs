//! The chip step's result: the verdict in plain words (passive
//! authentication, Chip / Active Authentication, PACE-CAM), the document's
//! validity, and the chip's DG1 beside what was entered, a difference
//! marked.

use iced::Length;
use iced::widget::{column, container, row, text};
use jiff::civil::Date;
use mitid_core::mrz_entry::{Credentials, EntryField};
use mitid_emrtd::pki::passive::{Outcome, Step as PaStep};
use mitid_emrtd::pki::verdict::{ChipCheck, Verdict};
use mitid_emrtd::session::Document;

use super::mrz::{Month, field_name, in_sentence};
use crate::fl;
use crate::theme;
use crate::widget::Element;

/// A date with its month by name and its year whole — "12 August 1974" —
/// so that no one reads 12.08.74 as another day or century.
pub fn long_date(date: Date) -> String {
    format!("{} {} {}", date.day(), Month(date.month()), date.year())
}

/// An MRZ date as [`long_date`] writes it, or as it stands when it is no
/// real date (an unknown day is written `<<`).
fn mrz_date(date: Option<Date>, yymmdd: &str) -> String {
    date.map_or_else(|| yymmdd.to_owned(), long_date)
}

/// The chip's DG1 beside what was entered, a row per field; a row that
/// differs is marked. With a CAN nothing else was entered.
fn compare_table<'a, M: 'a>(
    chip: &mitid_emrtd::mrz::Mrz,
    entered: Option<&Credentials>,
    today: Date,
) -> Element<'a, M> {
    use mitid_emrtd::mrz::{birth_date, expiry_date};
    let (key, lines) = match entered {
        Some(Credentials::Mrz { key, mrz, .. }) => (Some(key), mrz.as_deref()),
        _ => (None, None),
    };
    let name = |m: &mitid_emrtd::mrz::Mrz| format!("{} {}", m.secondary_names, m.primary_name).trim().to_owned();
    let mut rows: Vec<(String, String, Option<String>)> = vec![
        (field_name(EntryField::Number), chip.document_number.clone(), key.map(|k| k.document_number.clone())),
        (
            field_name(EntryField::Birth),
            mrz_date(chip.birth(today), &chip.birth_date),
            key.map(|k| mrz_date(birth_date(&k.birth_date, today), &k.birth_date)),
        ),
        (
            field_name(EntryField::Expiry),
            mrz_date(chip.expiry(), &chip.expiry_date),
            key.map(|k| mrz_date(expiry_date(&k.expiry_date), &k.expiry_date)),
        ),
    ];
    let capital = |s: String| {
        let mut c = s.chars();
        c.next().map_or_else(String::new, |first| first.to_uppercase().chain(c).collect())
    };
    rows.extend([
        (capital(fl!("result-field-name")), name(chip), lines.map(name)),
        (capital(fl!("result-field-nationality")), chip.nationality.clone(), lines.map(|m| m.nationality.clone())),
        (capital(fl!("result-field-sex")), chip.sex.to_string(), lines.map(|m| m.sex.to_string())),
    ]);
    let cell = |s: String| text(s).size(14).width(Length::FillPortion(2));
    let mut table = column![
        row![
            text("").width(Length::FillPortion(2)),
            cell(fl!("result-on-chip")).font(theme::MEDIUM),
            cell(fl!("result-entered")).font(theme::MEDIUM),
        ]
        .spacing(8)
    ]
    .spacing(2);
    for (label, on_chip, typed) in rows {
        let differs = typed.as_ref().is_some_and(|t| *t != on_chip);
        let line = row![cell(label), cell(on_chip), cell(typed.unwrap_or_else(|| "—".to_owned()))].spacing(8);
        let style: fn(&iced::Theme) -> container::Style =
            if differs { theme::problem_banner } else { |_: &iced::Theme| container::Style::default() };
        table = table.push(container(line).padding([2, 4]).style(style));
    }
    table.into()
}

/// "DG1, DG2, DG14".
fn groups(numbers: &[u8]) -> String {
    numbers.iter().map(|n| format!("DG{n}")).collect::<Vec<_>>().join(", ")
}

/// A translated sentence for why passive authentication failed.
pub fn failure_text(failure: &mitid_emrtd::pki::passive::Failure) -> String {
    use mitid_emrtd::pki::passive::Failure as F;
    match failure {
        F::SodUnreadable(_) => fl!("pa-sod-unreadable"),
        F::SignerCertificateMissing => fl!("pa-signer-missing"),
        F::SodSignature(_) => fl!("pa-sod-signature"),
        F::UnknownCsca { country: Some(country), .. } => fl!("pa-unknown-csca-of", country = country.clone()),
        F::UnknownCsca { country: None, .. } => fl!("pa-unknown-csca"),
        F::CscaSignature(_) => fl!("pa-csca-signature"),
        F::NotACa => fl!("pa-not-a-ca"),
        F::SignerKeyUsage => fl!("pa-signer-usage"),
        F::SignerExpired(t) => fl!("pa-signer-expired", date = t.date()),
        F::SignerNotYetValid(t) => fl!("pa-signer-not-yet", date = t.date()),
        F::SignedOutsideValidity(t) => fl!("pa-signed-outside", date = t.date()),
        F::CscaNotValid(t) => fl!("pa-csca-not-valid", date = t.date()),
        F::Revoked => fl!("pa-revoked"),
        F::CrlSignature(_) => fl!("pa-crl-signature"),
        F::HashMismatch(dgs) => fl!("pa-hash-mismatch", groups = groups(dgs)),
        F::NotListed(dgs) => fl!("pa-not-listed", groups = groups(dgs)),
    }
}

/// One result line: passed, failed or skipped.
fn result_line(result: &str, step: String, detail: String) -> String {
    match result {
        "passed" => fl!("result-step-passed", step = step, detail = detail),
        "failed" => fl!("result-step-failed", step = step, detail = detail),
        _ => fl!("result-step-skipped", step = step, detail = detail),
    }
}

/// The verdict in plain words, each check's result, the document's
/// validity, and the chip's DG1 beside what was entered.
pub fn view<'a, M: 'a>(document: &Document, credentials: Option<&Credentials>, today: Date) -> Element<'a, M> {
    let (verdict, _) = &document.verdict;
    let (line, style): (String, fn(&iced::Theme) -> container::Style) = match verdict {
        Verdict::Genuine => (fl!("verdict-genuine"), theme::card),
        Verdict::CloneNotExcluded => (fl!("verdict-clone-not-excluded"), theme::card),
        Verdict::NotVerified => {
            let reason = match document.passive.failure() {
                Some((_, failure)) => failure_text(failure),
                None => fl!("reason-chip-failed"),
            };
            (fl!("verdict-not-verified", reason = reason), theme::problem_banner)
        }
    };
    let mut body =
        column![container(text(line).font(theme::BOLD)).padding(10).width(Length::Fill).style(style)].spacing(6);
    let step_name = |step: PaStep| match step {
        PaStep::SodSignature => fl!("result-sod"),
        PaStep::Chain => fl!("result-chain"),
        PaStep::Revocation => fl!("result-revocation"),
        PaStep::Hashes => fl!("result-hashes"),
    };
    let pa = &document.passive;
    for (step, outcome) in &pa.steps {
        let (result, detail) = match (step, outcome) {
            (_, Outcome::Failed(failure)) => ("failed", failure_text(failure)),
            (PaStep::SodSignature, Outcome::Passed(_)) => {
                let signer = pa.signer.as_ref().map(|c| c.subject.to_string()).unwrap_or_default();
                ("passed", fl!("pa-sod-passed", signer = signer))
            }
            (PaStep::Chain, Outcome::Passed(_)) => {
                let csca = pa.csca.as_ref().map(|c| c.subject.to_string()).unwrap_or_default();
                ("passed", fl!("pa-chain-passed", csca = csca))
            }
            (PaStep::Revocation, Outcome::Passed(_)) => ("passed", fl!("pa-revocation-passed")),
            (PaStep::Hashes, Outcome::Passed(_)) => ("passed", fl!("pa-hashes-passed", groups = groups(&pa.matched))),
            (PaStep::Revocation, Outcome::NotApplicable(_)) => ("skipped", fl!("pa-revocation-none")),
            (_, Outcome::NotApplicable(_)) => ("skipped", fl!("pa-skipped")),
        };
        body = body.push(text(result_line(result, step_name(*step), detail)).size(14));
    }
    for (name, check) in [
        (fl!("result-cam"), &document.pace_cam),
        (fl!("result-ca"), &document.chip),
        (fl!("result-aa"), &document.active),
    ] {
        match check {
            ChipCheck::Passed { .. } => {
                body = body.push(text(result_line("passed", name, fl!("result-proved"))).size(14));
            }
            ChipCheck::Failed(_) => {
                body = body.push(text(result_line("failed", name, fl!("reason-chip-failed"))).size(14));
            }
            _ => {}
        }
    }
    match document.valid_on(today) {
        Some(true) => body = body.push(text(fl!("result-valid")).font(theme::MEDIUM)),
        Some(false) => body = body.push(text(fl!("result-expired")).font(theme::MEDIUM)),
        None => {}
    }
    if let Some(mrz) = document.dg1() {
        let name = format!("{} {}", mrz.secondary_names, mrz.primary_name);
        body = body.push(text(fl!("result-name", name = name.trim().to_owned())));
        body = body.push(text(fl!("result-number", number = mrz.document_number.clone())));
        body = body.push(compare_table(&mrz, credentials, today));
        if let Some(Credentials::Mrz { key, mrz: entered, .. }) = credentials {
            let chip_key = mrz.access_key();
            let mut differences = vec![
                (in_sentence(EntryField::Number), chip_key.document_number != key.document_number),
                (in_sentence(EntryField::Birth), chip_key.birth_date != key.birth_date),
                (in_sentence(EntryField::Expiry), chip_key.expiry_date != key.expiry_date),
            ];
            // Lines swiped or pasted carry more than what opens the
            // chip: an altered chip shows here.
            if let Some(entered) = entered {
                differences.extend([
                    (
                        fl!("result-field-name"),
                        (&entered.primary_name, &entered.secondary_names) != (&mrz.primary_name, &mrz.secondary_names),
                    ),
                    (fl!("result-field-nationality"), entered.nationality != mrz.nationality),
                    (fl!("result-field-sex"), entered.sex != mrz.sex),
                ]);
            }
            for (field, differs) in differences {
                if differs {
                    body = body.push(
                        container(text(fl!("result-mismatch", field = field))).padding(6).style(theme::problem_banner),
                    );
                }
            }
        }
    }
    body.into()
}
