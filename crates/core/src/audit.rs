//! The audit log's entries and their hash chain.
//!
//! Each entry's hash is SHA-256 over its canonical form, which includes the
//! previous entry's hash; changing, reordering or removing an entry breaks
//! every hash after it. Entries carry ids, the agent, the action and the
//! verdict — never a P-code, never personal data beyond a caller id.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// One entry, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the log, from 1 without gaps.
    pub seq: i64,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Who (an agent id, or the signed-in person's subject at their
    /// identity provider; "system" or "cli" for the app itself).
    pub agent: String,
    /// The signed-in person's name, as the identity provider gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    /// The desk they worked at (its configured id), where staff sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desk: Option<String>,
    /// What, e.g. `pcode.issue`, `caller.delete`.
    pub action: String,
    /// What it was done to, e.g. `caller:17`, `pcode:P-3f9a0c21`.
    pub subject: String,
    /// How it ended, e.g. `ok`, `refused:closed`, `wrong`.
    pub verdict: String,
    /// The previous entry's hash.
    #[serde(serialize_with = "as_hex", deserialize_with = "from_hex")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9a-f]{64}$"))]
    pub prev_hash: [u8; 32],
    /// This entry's hash.
    #[serde(serialize_with = "as_hex", deserialize_with = "from_hex")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^[0-9a-f]{64}$"))]
    pub hash: [u8; 32],
}

impl AuditEntry {
    /// The hash the entry's content and previous hash call for.
    pub fn expected_hash(&self) -> [u8; 32] {
        let who = Who { agent: &self.agent, name: self.agent_name.as_deref(), desk: self.desk.as_deref() };
        entry_hash_by(self.seq, self.at, &who, &self.action, &self.subject, &self.verdict, &self.prev_hash)
    }
}

fn as_hex<S: serde::Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}

fn from_hex<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
    let text = String::deserialize(d)?;
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(&text, &mut bytes).map_err(|_| serde::de::Error::custom("not a SHA-256 hash in hex"))?;
    Ok(bytes)
}

/// The bytes an entry's hash covers: a JSON array of its fields in a fixed
/// order, the previous hash in hex last.
pub fn canonical(
    seq: i64,
    at: Timestamp,
    agent: &str,
    action: &str,
    subject: &str,
    verdict: &str,
    prev: &[u8; 32],
) -> Vec<u8> {
    let value = serde_json::json!([seq, at.to_string(), agent, action, subject, verdict, hex::encode(prev)]);
    value.to_string().into_bytes()
}

/// Who made an entry: the agent, and where staff sign in their name and
/// desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who<'a> {
    /// The agent id or signed-in subject.
    pub agent: &'a str,
    /// The signed-in person's name.
    pub name: Option<&'a str>,
    /// Their desk.
    pub desk: Option<&'a str>,
}

impl<'a> Who<'a> {
    /// An agent alone (a desk without sign-in, the app itself).
    pub fn agent(agent: &'a str) -> Self {
        Self { agent, name: None, desk: None }
    }
}

/// The canonical form of an entry made by `who`: as [`canonical`] for an
/// agent alone (so logs written before names were kept verify as they
/// were), else with the name and desk after the agent.
#[allow(clippy::too_many_arguments)]
pub fn canonical_by(
    seq: i64,
    at: Timestamp,
    who: &Who<'_>,
    action: &str,
    subject: &str,
    verdict: &str,
    prev: &[u8; 32],
) -> Vec<u8> {
    if who.name.is_none() && who.desk.is_none() {
        return canonical(seq, at, who.agent, action, subject, verdict, prev);
    }
    let value = serde_json::json!([
        seq,
        at.to_string(),
        who.agent,
        who.name.unwrap_or(""),
        who.desk.unwrap_or(""),
        action,
        subject,
        verdict,
        hex::encode(prev)
    ]);
    value.to_string().into_bytes()
}

/// SHA-256 of [`canonical_by`].
pub fn entry_hash_by(
    seq: i64,
    at: Timestamp,
    who: &Who<'_>,
    action: &str,
    subject: &str,
    verdict: &str,
    prev: &[u8; 32],
) -> [u8; 32] {
    Sha256::digest(canonical_by(seq, at, who, action, subject, verdict, prev)).into()
}

/// SHA-256 of the canonical form.
pub fn entry_hash(
    seq: i64,
    at: Timestamp,
    agent: &str,
    action: &str,
    subject: &str,
    verdict: &str,
    prev: &[u8; 32],
) -> [u8; 32] {
    entry_hash_by(seq, at, &Who::agent(agent), action, subject, verdict, prev)
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChainBreak {
    /// An entry's content no longer matches its hash.
    #[error("entry {seq} was changed after it was written")]
    Edited {
        /// The entry.
        seq: i64,
    },
    /// An entry does not follow the one before it.
    #[error("entry {seq} does not follow entry {after}: entries were removed or reordered")]
    Broken {
        /// The entry.
        seq: i64,
        /// The entry before it in the log.
        after: i64,
    },
    /// The log no longer holds an entry as the desk's signed checkpoint
    /// remembers it: the chain was written anew (each hash recomputed).
    #[error("entry {seq} is not the entry the desk's signed checkpoint remembers: the log was written anew")]
    Rewritten {
        /// The entry the checkpoint names.
        seq: i64,
    },
    /// The log a desk brought when it moved to the shared service no
    /// longer holds at an entry.
    #[error("the log moved in from desk {desk} was changed at its entry {seq}")]
    Imported {
        /// The desk (its first entry's hash, first 16 hex digits).
        desk: String,
        /// The entry of that desk's log.
        seq: i64,
    },
    /// The checkpoint the desk remembers is not signed by its key.
    #[error("the desk's remembered checkpoint does not carry its signature: it was replaced")]
    ForgedCheckpoint,
    /// The log ends before its recorded head.
    #[error("the log ends at entry {last}, but entry {head} was written: entries were removed from the end")]
    Truncated {
        /// The last entry present.
        last: i64,
        /// The last entry recorded as written.
        head: i64,
    },
}

/// Checks a log read in storage order: each entry follows the previous one
/// (seq + 1, and its prev_hash is the previous hash), and its hash matches
/// its content. Returns the number of entries checked.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a AuditEntry>) -> Result<u64, ChainBreak> {
    let mut prev_hash = GENESIS;
    let mut prev_seq = 0;
    let mut count = 0;
    for e in entries {
        if e.seq != prev_seq + 1 || e.prev_hash != prev_hash {
            // A changed prev_hash with a seq in order is an edit of that field.
            if e.seq == prev_seq + 1 && e.expected_hash() != e.hash {
                return Err(ChainBreak::Edited { seq: e.seq });
            }
            return Err(ChainBreak::Broken { seq: e.seq, after: prev_seq });
        }
        if e.expected_hash() != e.hash {
            return Err(ChainBreak::Edited { seq: e.seq });
        }
        prev_hash = e.hash;
        prev_seq = e.seq;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS;
        let start: Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
        (1..=n)
            .map(|seq| {
                let at = start + jiff::SignedDuration::from_secs(seq);
                let hash = entry_hash(seq, at, "agent-7", "pcode.issue", &format!("caller:{seq}"), "ok", &prev);
                let e = AuditEntry {
                    seq,
                    at,
                    agent: "agent-7".into(),
                    agent_name: None,
                    desk: None,
                    action: "pcode.issue".into(),
                    subject: format!("caller:{seq}"),
                    verdict: "ok".into(),
                    prev_hash: prev,
                    hash,
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn a_name_and_a_desk_are_in_the_hash_and_an_agent_alone_hashes_as_before() {
        let mut entries = chain(3);
        assert_eq!(entries[0].expected_hash(), entries[0].hash, "no name, no desk: the hash of old");
        let e = &mut entries[1];
        e.agent_name = Some("Anna Agent".into());
        e.desk = Some("desk-7".into());
        let who = Who { agent: &e.agent, name: Some("Anna Agent"), desk: Some("desk-7") };
        e.hash = entry_hash_by(e.seq, e.at, &who, &e.action, &e.subject, &e.verdict, &e.prev_hash);
        let signed = e.clone();
        assert_eq!(signed.expected_hash(), signed.hash);
        for edited in [
            AuditEntry { agent_name: Some("Eve".into()), ..signed.clone() },
            AuditEntry { desk: None, ..signed.clone() },
            AuditEntry { agent_name: None, desk: None, ..signed.clone() },
        ] {
            assert_ne!(edited.expected_hash(), signed.hash, "{edited:?}");
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(50)), Ok(50));
        assert_eq!(verify(&chain(0)), Ok(0));
    }

    #[test]
    fn edits_reorders_and_removals_are_found() {
        let mut edited = chain(10);
        edited[4].verdict = "refused".into();
        assert_eq!(verify(&edited), Err(ChainBreak::Edited { seq: 5 }));

        let mut reordered = chain(10);
        reordered.swap(3, 4);
        assert_eq!(verify(&reordered), Err(ChainBreak::Broken { seq: 5, after: 3 }));

        let mut removed = chain(10);
        removed.remove(6);
        assert_eq!(verify(&removed), Err(ChainBreak::Broken { seq: 8, after: 6 }));

        // Removing and renumbering: the hashes give it away.
        let mut renumbered = chain(10);
        renumbered.remove(2);
        for e in renumbered.iter_mut().skip(2) {
            e.seq -= 1;
        }
        assert!(verify(&renumbered).is_err());

        let mut relinked = chain(10);
        relinked[3].prev_hash = [9; 32];
        assert_eq!(verify(&relinked), Err(ChainBreak::Edited { seq: 4 }));
    }
}

/// One CSV field: quoted when it must be, and a leading =, +, - or @
/// defused so a spreadsheet never runs it as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// Entries as CSV with a header line.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from("seq,at,agent,agent_name,desk,action,subject,verdict,prev_hash,hash\n");
    for e in entries {
        let fields = [
            e.seq.to_string(),
            e.at.to_string(),
            e.agent.clone(),
            e.agent_name.clone().unwrap_or_default(),
            e.desk.clone().unwrap_or_default(),
            e.action.clone(),
            e.subject.clone(),
            e.verdict.clone(),
            hex::encode(e.prev_hash),
            hex::encode(e.hash),
        ];
        out += &fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
        out.push('\n');
    }
    out
}

/// Entries as a JSON array.
pub fn to_json(entries: &[AuditEntry]) -> String {
    serde_json::to_string_pretty(entries).unwrap_or_else(|_| "[]".to_owned()) + "\n"
}

#[cfg(test)]
mod export_tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses() {
        let at: Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
        let e = AuditEntry {
            seq: 1,
            at,
            agent: "=cmd|' /C calc'!A0".into(),
            agent_name: None,
            desk: None,
            action: "caller.create".into(),
            subject: "caller:1".into(),
            verdict: "a,\"b\"".into(),
            prev_hash: GENESIS,
            hash: [1; 32],
        };
        let csv = to_csv(std::slice::from_ref(&e));
        let line = csv.lines().nth(1).unwrap();
        assert!(
            line.starts_with("1,2026-11-24T10:00:00Z,'=cmd|' /C calc'!A0,,,caller.create,caller:1,\"a,\"\"b\"\"\","),
            "{line}"
        );
        let json: serde_json::Value = serde_json::from_str(&to_json(&[e])).unwrap();
        assert_eq!(json[0]["hash"], hex::encode([1u8; 32]));
    }
}
