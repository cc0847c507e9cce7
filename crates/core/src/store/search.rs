//! Search as you type: a phone number in any format, an e-mail address, a
//! caller or P-code reference, or a name — ranked exact phone first, then
//! e-mail and references, then names by prefix, then near misses.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::caller::{CallerDetails, Phone};
use crate::fold;

/// How a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MatchKind {
    /// The phone number, exactly.
    Phone,
    /// The e-mail address, exactly.
    Email,
    /// A caller reference (`C-17`) or P-code reference (`P-3f9a0c21`).
    Reference,
    /// Every word of the query starts a word of the name; the whole name
    /// when `exact`.
    Name,
    /// A name one or two letters away from the query.
    Fuzzy,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    /// The caller.
    pub caller_id: i64,
    /// "Given Family".
    pub name: String,
    /// Date of birth, when known.
    pub birth_date: Option<String>,
    /// The first phone number, when known.
    pub phone: Option<String>,
    /// How it matched.
    pub kind: MatchKind,
}

/// Indexes (or re-indexes) a caller's name.
pub(super) fn index(tx: &Transaction<'_>, id: i64, details: &CallerDetails) -> Result<(), StoreError> {
    let name = format!("{} {}", details.given_name, details.family_name);
    tx.execute("DELETE FROM caller_search WHERE rowid = ?1", [id])?;
    tx.execute("INSERT INTO caller_search (rowid, terms) VALUES (?1, ?2)", params![id, fold::index_terms(&name)])?;
    tx.execute(
        "INSERT INTO caller_name_key (caller_id, name_key) VALUES (?1, ?2)
         ON CONFLICT (caller_id) DO UPDATE SET name_key = ?2",
        params![id, fold::key(&name)],
    )?;
    Ok(())
}

/// Removes a caller from the index.
pub(super) fn unindex(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.execute("DELETE FROM caller_search WHERE rowid = ?1", [id])?;
    tx.execute("DELETE FROM caller_name_key WHERE caller_id = ?1", [id])?;
    Ok(())
}

/// Indexes every caller (when the search tables are first made).
pub(super) fn backfill(tx: &Transaction<'_>) -> Result<(), StoreError> {
    reindex(tx, |_| true)
}

/// Indexes again the callers whose names are in a script the folding
/// transliterates (Cyrillic, Greek) or indexes by consonants (Arabic);
/// Latin names fold as they did.
pub(super) fn refold(tx: &Transaction<'_>) -> Result<(), StoreError> {
    reindex(tx, |name| name.chars().any(fold::other_script))
}

/// Indexes again every caller whose "given family" name `wanted` picks.
fn reindex(tx: &Transaction<'_>, wanted: impl Fn(&str) -> bool) -> Result<(), StoreError> {
    let mut stmt = tx.prepare("SELECT id, given_name, family_name FROM caller")?;
    let rows: Vec<(i64, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    drop(stmt);
    for (id, given_name, family_name) in rows {
        if wanted(&format!("{given_name} {family_name}")) {
            index(tx, id, &CallerDetails { given_name, family_name, ..CallerDetails::default() })?;
        }
    }
    Ok(())
}

/// A term for an FTS5 query: quoted, so no character of it is syntax.
fn fts_prefix(term: &str) -> String {
    format!("\"{}\"*", term.replace('"', ""))
}

impl Store {
    /// Callers matching `query`, best first, at most `limit`.
    ///
    /// Never sorts a large set: exact phone, e-mail and reference look-ups
    /// use their indexes; a whole name is looked up by its folded key; word
    /// and prefix matches take the first few hundred candidates the index
    /// yields and rank only those (a one-letter query matches a third of
    /// the register, and any 20 of them serve while the agent types on).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let query = query.trim();
        let mut found: Vec<(i64, MatchKind)> = Vec::new();
        if query.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let limit_sql = limit as i64;
        if query.contains('@') {
            // An e-mail address, whole or its beginning.
            let mut stmt = self.conn.prepare_cached(
                "SELECT id FROM caller WHERE email LIKE ?1 ESCAPE '\\' ORDER BY email <> ?2 COLLATE NOCASE, id LIMIT ?3",
            )?;
            let pattern = format!("{}%", query.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            for id in stmt.query_map(params![pattern, query, limit_sql], |r| r.get::<_, i64>(0))? {
                push(&mut found, id?, MatchKind::Email);
            }
            return self.hits(found);
        }
        let digits = query.chars().filter(char::is_ascii_digit).count();
        if digits >= 6 && query.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c)) {
            // A phone number: only the number, however it was written.
            if let Ok(phone) = Phone::parse(query) {
                let mut stmt =
                    self.conn.prepare_cached("SELECT caller_id FROM caller_phone WHERE e164 = ?1 LIMIT ?2")?;
                for id in stmt.query_map(params![phone.e164(), limit_sql], |r| r.get::<_, i64>(0))? {
                    push(&mut found, id?, MatchKind::Phone);
                }
            }
            return self.hits(found);
        }
        let upper = query.to_ascii_uppercase();
        let reference = upper.strip_prefix("C-").or(upper.strip_prefix("C")).and_then(|n| n.trim().parse::<i64>().ok());
        if let Some(id) = reference {
            let exists: Option<i64> =
                self.conn.query_row("SELECT id FROM caller WHERE id = ?1", [id], |r| r.get(0)).optional()?;
            if let Some(id) = exists {
                push(&mut found, id, MatchKind::Reference);
            }
            return self.hits(found);
        }
        if let Some(hex) = upper.strip_prefix("P-").filter(|h| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
        {
            let owner: Option<i64> = self
                .conn
                .query_row(
                    "SELECT caller_id FROM pcode WHERE reference = ?1",
                    [format!("P-{}", hex.to_ascii_lowercase())],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = owner {
                push(&mut found, id, MatchKind::Reference);
            }
            return self.hits(found);
        }
        let terms = fold::query_terms(query);
        if terms.is_empty() {
            return self.hits(found);
        }
        // 1. The whole name, exactly (both spellings of the query's words).
        let wanted = fold::key(query);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT caller_id FROM caller_name_key WHERE name_key = ?1 ORDER BY caller_id LIMIT ?2")?;
        for id in stmt.query_map(params![wanted, limit_sql], |r| r.get::<_, i64>(0))? {
            push(&mut found, id?, MatchKind::Name);
        }
        // 2. Whole words, then 3. prefixes: a bounded set of candidates,
        // ranked by how short the name is (the closest to what was typed).
        let exact = terms.iter().map(|t| format!("\"{}\"", t.replace('"', ""))).collect::<Vec<_>>().join(" AND ");
        let prefix = terms.iter().map(|t| fts_prefix(t)).collect::<Vec<_>>().join(" AND ");
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.caller_id, length(k.name_key) FROM caller_search s JOIN caller_name_key k ON k.caller_id = s.rowid
             WHERE caller_search MATCH ?1 LIMIT ?2",
        )?;
        for expression in [exact, prefix] {
            if found.len() >= limit {
                break;
            }
            let mut candidates: Vec<(i64, i64)> = stmt
                .query_map(params![expression, CANDIDATES], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            candidates.sort_by_key(|(id, len)| (*len, *id));
            for (id, _) in candidates {
                push(&mut found, id, MatchKind::Name);
            }
        }
        // 3b. A name in Arabic script by the consonants of the Latin
        // spelling typed (its skeleton terms).
        let skeletons = fold::skeleton_terms(query);
        if found.len() < limit && !skeletons.is_empty() {
            let expression = skeletons.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" AND ");
            let mut candidates: Vec<(i64, i64)> = stmt
                .query_map(params![expression, CANDIDATES], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            candidates.sort_by_key(|(id, len)| (*len, *id));
            for (id, _) in candidates {
                push(&mut found, id, MatchKind::Name);
            }
        }
        // 4. Near misses: names sharing the first two letters of the longest
        // word, within one edit (two for long words).
        if found.len() < limit
            && let Some(longest) = terms.iter().filter(|t| t.chars().count() >= 4).max_by_key(|t| t.len())
        {
            let head: String = longest.chars().take(2).collect();
            let max = if longest.chars().count() >= 8 { 2 } else { 1 };
            let mut stmt = self.conn.prepare_cached(
                "SELECT k.caller_id, k.name_key FROM caller_search s JOIN caller_name_key k ON k.caller_id = s.rowid
                 WHERE caller_search MATCH ?1 LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![fts_prefix(&head), FUZZY_CANDIDATES], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (id, key) = row?;
                if key.split(' ').any(|word| fold::within(word, longest, max)) {
                    push(&mut found, id, MatchKind::Fuzzy);
                    if found.len() >= limit {
                        break;
                    }
                }
            }
        }
        found.truncate(limit);
        self.hits(found)
    }

    /// The rows to show for the callers found, in order.
    fn hits(&self, found: Vec<(i64, MatchKind)>) -> Result<Vec<Hit>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT given_name, family_name, birth_date, (SELECT e164 FROM caller_phone WHERE caller_id = c.id LIMIT 1)
             FROM caller c WHERE id = ?1",
        )?;
        let mut hits = Vec::with_capacity(found.len());
        for (id, kind) in found {
            let row = stmt
                .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            if let Some((given, family, birth_date, phone)) = row {
                let name = format!("{given} {family}").trim().to_owned();
                hits.push(Hit { caller_id: id, name, birth_date, phone, kind });
            }
        }
        Ok(hits)
    }
}

/// Adds a caller to the results unless it is there already.
fn push(found: &mut Vec<(i64, MatchKind)>, id: i64, kind: MatchKind) {
    if !found.iter().any(|(f, _)| *f == id) {
        found.push((id, kind));
    }
}

/// How many word or prefix matches are ranked.
const CANDIDATES: i64 = 400;
/// How many names are checked for near misses.
const FUZZY_CANDIDATES: i64 = 3000;

#[cfg(test)]
mod tests {
    use crate::fold::within;

    #[test]
    fn edit_distance() {
        assert!(within("soeren", "soeren", 0));
        assert!(within("soeren", "soren", 1));
        assert!(within("hansen", "hanson", 1));
        assert!(!within("hansen", "jensen", 1));
        assert!(within("christiansen", "kristiansen", 2));
        assert!(!within("a", "abcd", 2));
    }
}
