//! Counter enrollment cases: opened when a person sits down, a step
//! recorded as each check ends, closed when they leave. Each change is in
//! the audit log in the same transaction. Only verdicts, hashes and
//! certificate fingerprints are kept — never the MRZ, a photo or a key.

use jiff::Timestamp;
use rusqlite::params;

use super::{Store, StoreError, audit_log};

/// One recorded step of a case.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseStep {
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Which step ("chip", "face", "handover").
    pub step: String,
    /// Its verdict ("genuine", "not_verified", …).
    pub verdict: String,
    /// What it rests on: hashes, fingerprints, reasons (no personal data).
    pub detail: String,
}

impl Store {
    /// Opens a case; returns its id (shown as E-<id>).
    pub fn open_case(&mut self, agent: &str, now: Timestamp) -> Result<i64, StoreError> {
        let tx = self.write()?;
        tx.execute("INSERT INTO enrollment_case (agent, started) VALUES (?1, ?2)", params![agent, now.to_string()])?;
        let id = tx.last_insert_rowid();
        audit_log::append(&tx, now, agent, "enrollment.open", &format!("case:E-{id}"), "ok")?;
        tx.commit()?;
        Ok(id)
    }

    /// Records a step's result in case `id`.
    pub fn record_case_step(&mut self, id: i64, agent: &str, step: &CaseStep) -> Result<(), StoreError> {
        let tx = self.write()?;
        let inserted = tx.execute(
            "INSERT INTO enrollment_step (case_id, at, step, verdict, detail)
             SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM enrollment_case WHERE id = ?1 AND ended IS NULL)",
            params![id, step.at.to_string(), step.step, step.verdict, step.detail],
        )?;
        if inserted == 0 {
            return Err(StoreError::Corrupt(format!("case E-{id} is not open")));
        }
        audit_log::append(
            &tx,
            step.at,
            agent,
            &format!("enrollment.{}", step.step),
            &format!("case:E-{id}"),
            &step.verdict,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Closes case `id` with an outcome ("done", "started over", …).
    pub fn close_case(&mut self, id: i64, agent: &str, outcome: &str, now: Timestamp) -> Result<(), StoreError> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE enrollment_case SET ended = ?2, outcome = ?3 WHERE id = ?1 AND ended IS NULL",
            params![id, now.to_string(), outcome],
        )?;
        audit_log::append(&tx, now, agent, "enrollment.close", &format!("case:E-{id}"), outcome)?;
        tx.commit()?;
        Ok(())
    }

    /// The steps recorded in case `id`, in order.
    pub fn case_steps(&self, id: i64) -> Result<Vec<CaseStep>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT at, step, verdict, detail FROM enrollment_step WHERE case_id = ?1 ORDER BY rowid")?;
        let rows = statement.query_map([id], |r| {
            let at: String = r.get(0)?;
            Ok((at, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        let mut steps = Vec::new();
        for row in rows {
            let (at, step, verdict, detail): (String, String, String, String) = row?;
            let at = at.parse().map_err(|_| StoreError::Corrupt("case step time".into()))?;
            steps.push(CaseStep { at, step, verdict, detail });
        }
        Ok(steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AuditFilter;

    #[test]
    fn a_case_is_opened_recorded_and_closed_in_the_audit_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("desk.sqlite")).unwrap();
        let now: Timestamp = "2026-11-24T10:00:00Z".parse().unwrap();
        let id = store.open_case("agent-7", now).unwrap();
        let step =
            CaseStep {
                at: now, step: "chip".into(), verdict: "genuine".into(), detail: "sod=ab12… csca=9f3c…".into()
            };
        store.record_case_step(id, "agent-7", &step).unwrap();
        store.close_case(id, "agent-7", "started over", now).unwrap();
        assert_eq!(store.case_steps(id).unwrap(), vec![step.clone()]);
        // A closed case takes no more steps.
        assert!(store.record_case_step(id, "agent-7", &step).is_err());
        let actions: Vec<String> =
            store.audit_entries(&AuditFilter::default()).unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["enrollment.close", "enrollment.chip", "enrollment.open"]);
        assert!(store.verify_audit().unwrap().problem.is_none());
    }
}
