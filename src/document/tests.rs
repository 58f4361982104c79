use super::*;
use crate::rules::{RuleSource, SeverityOverrides};
use crate::text::{Pos, PosRange};

fn rules() -> Arc<RuleSet> {
    Arc::new(RuleSet::load(
        &[RuleSource::Embedded],
        SeverityOverrides::new(),
    ))
}

/// The next diagnostics published, with their version and rule ids.
async fn next(rx: &mut mpsc::UnboundedReceiver<DocOutput>) -> (i32, Vec<String>) {
    loop {
        let out = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .expect("diagnostics in time")
            .expect("actor alive");
        if let DocOutput::Diagnostics {
            version, findings, ..
        } = out
        {
            return (
                version,
                findings.iter().map(|f| f.rule_id.to_string()).collect(),
            );
        }
    }
}

fn insert(line: u32, text: &str) -> TextChange {
    TextChange {
        range: Some(PosRange {
            start: Pos::new(line, 0),
            end: Pos::new(line, 0),
        }),
        text: text.to_string(),
    }
}

/// With a zero parse budget (unit tests), an edit is sketched: its diagnostics come at once and
/// keep every finding outside the edited statement; when typing pauses, the document is reparsed
/// without a budget and published again for the same version; undoing the edit gives back the
/// diagnostics of the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sketched_edit_settles_when_typing_pauses() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let store = DocumentStore::spawn(rules(), tx);
    let text: String = (0..60)
        .map(|i| format!("def f{i}(a):\n    return eval(a)\n\n"))
        .collect();
    let uri = "file:///t/a.py".to_string();
    store.send(DocEvent::Open {
        uri: uri.clone(),
        path: None,
        language_id: "python".into(),
        version: 1,
        text: text.clone(),
    });
    let (v, start) = next(&mut rx).await;
    assert_eq!(v, 1);
    let evals = start
        .iter()
        .filter(|r| *r == "python.code-injection")
        .count();
    assert!(evals >= 60, "{start:?}");
    // Rename f30's `eval` call: line 91 is `    return eval(a)` of f30.
    store.send(DocEvent::Change {
        uri: uri.clone(),
        version: 2,
        changes: vec![TextChange {
            range: Some(PosRange {
                start: Pos::new(91, 11),
                end: Pos::new(91, 15),
            }),
            text: "evil".into(),
        }],
    });
    let (v, sketched) = next(&mut rx).await;
    assert_eq!(v, 2);
    assert_eq!(
        sketched
            .iter()
            .filter(|r| *r == "python.code-injection")
            .count(),
        evals - 1
    );
    let snapshot = store.snapshot(&uri).expect("snapshot");
    assert!(!snapshot.tree_current, "a sketch leaves the tree behind");
    // Typing pauses: the settled analysis publishes version 2 again, from a full tree.
    let (v, settled) = next(&mut rx).await;
    assert_eq!(v, 2);
    assert_eq!(settled, sketched);
    store.barrier().await;
    let snapshot = store.snapshot(&uri).expect("snapshot");
    assert!(snapshot.tree_current);
    // An unmatched `(` at the start of f10, then undone.
    store.send(DocEvent::Change {
        uri: uri.clone(),
        version: 3,
        changes: vec![insert(30, "(")],
    });
    let (v, broken) = next(&mut rx).await;
    assert_eq!(v, 3);
    assert!(
        broken
            .iter()
            .filter(|r| *r == "python.code-injection")
            .count()
            >= evals - 2
    );
    store.send(DocEvent::Change {
        uri: uri.clone(),
        version: 4,
        changes: vec![TextChange {
            range: Some(PosRange {
                start: Pos::new(30, 0),
                end: Pos::new(30, 1),
            }),
            text: String::new(),
        }],
    });
    let mut last = next(&mut rx).await;
    while last.0 < 4 {
        last = next(&mut rx).await;
    }
    assert_eq!(last.1, settled);
}
