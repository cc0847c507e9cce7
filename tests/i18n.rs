//! Every language has exactly the messages English has, each file parses,
//! and each message has the same arguments in every language.

#![allow(clippy::unwrap_used)] // in a test, a panic is the failure report

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

use fluent_syntax::ast;

type Messages = BTreeMap<String, BTreeSet<String>>;

fn i18n_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()))
        .join("i18n")
}

/// Message id → names of the variables it uses, in the agent's texts.
fn messages(lang: &str) -> Messages {
    file_messages(lang, "mitid_assist.ftl")
}

/// Message id → names of the variables it uses, in one file.
fn file_messages(lang: &str, file: &str) -> Messages {
    let path = i18n_dir().join(lang).join(file);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let resource = fluent_syntax::parser::parse(text.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{} does not parse: {errors:?}", path.display()));
    let mut out = Messages::new();
    for entry in resource.body {
        if let ast::Entry::Message(message) = entry {
            let mut vars = BTreeSet::new();
            if let Some(pattern) = &message.value {
                collect(pattern, &mut vars);
            }
            let id = message.id.name.to_owned();
            assert!(out.insert(id.clone(), vars).is_none(), "{lang}: {id} defined twice");
        }
    }
    out
}

fn collect(pattern: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            match expression {
                ast::Expression::Inline(ast::InlineExpression::VariableReference { id }) => {
                    vars.insert(id.name.to_owned());
                }
                ast::Expression::Select { selector: ast::InlineExpression::VariableReference { id }, variants } => {
                    vars.insert(id.name.to_owned());
                    for variant in variants {
                        collect(&variant.value, vars);
                    }
                }
                _ => {}
            }
        }
    }
}

/// The languages with a file `file`.
fn languages_of(file: &str) -> Vec<String> {
    let mut langs: Vec<String> = fs::read_dir(i18n_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|dir| dir.join(file).is_file())
        .map(|dir| dir.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    langs.sort();
    langs
}

/// The languages the agent's window speaks.
fn languages() -> Vec<String> {
    languages_of("mitid_assist.ftl")
}

#[test]
fn english_and_danish_exist() {
    let langs = languages();
    assert!(langs.contains(&"en".to_owned()) && langs.contains(&"da".to_owned()), "{langs:?}");
    assert!(messages("en").len() > 50);
}

#[test]
fn every_language_has_the_same_messages_and_arguments() {
    let english = messages("en");
    for lang in languages().into_iter().filter(|l| l != "en") {
        let other = messages(&lang);
        let missing: Vec<_> = english.keys().filter(|id| !other.contains_key(*id)).collect();
        let extra: Vec<_> = other.keys().filter(|id| !english.contains_key(*id)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, not in English {extra:?}");
        for (id, vars) in &english {
            assert_eq!(&other[id], vars, "{lang}: {id} takes other arguments than in English");
        }
    }
}

#[test]
fn the_citizen_screen_speaks_five_languages_with_the_same_messages() {
    let langs = languages_of("citizen.ftl");
    assert_eq!(langs, ["da", "de", "en", "pl", "uk"]);
    let english = file_messages("en", "citizen.ftl");
    assert!(english.len() > 30);
    for lang in langs.iter().filter(|l| *l != "en") {
        let other = file_messages(lang, "citizen.ftl");
        let missing: Vec<_> = english.keys().filter(|id| !other.contains_key(*id)).collect();
        let extra: Vec<_> = other.keys().filter(|id| !english.contains_key(*id)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, not in English {extra:?}");
        for (id, vars) in &english {
            assert_eq!(&other[id], vars, "{lang}: {id} takes other arguments than in English");
        }
    }
    // The citizen's texts are their own ids, apart from the agent's.
    let agent = messages("en");
    assert!(english.keys().all(|id| !agent.contains_key(id)));
}

#[test]
fn the_check_itself_notices_a_missing_message() {
    let mut english = messages("en");
    let danish = messages("da");
    english.insert("only-in-english".into(), BTreeSet::new());
    assert!(english.keys().any(|id| !danish.contains_key(id)));
}
