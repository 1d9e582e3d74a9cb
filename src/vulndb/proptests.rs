//! The vulnerability database's parsers and the version comparator on generated input:
//! modules indexes and OSV entries shaped like vuln.go.dev's with hostile values (any
//! ID, wrong types, text with control and bidi characters), then cut short or with a
//! byte changed. Every one parses or fails with a message; an accepted index names only
//! valid IDs; judging never panics; and the comparator is a total order that agrees
//! with Go's own ordering of releases.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::judge;
use super::osv::{self, valid_id};
use super::semver::{Event, Ident, Semver, range_contains};

fn version_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "(0|1\\.[0-9]{1,2}\\.[0-9]{1,2}(-(0|rc\\.[0-9]|beta\\.[0-9]))?)",
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ]
}

fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "GO-20[0-9]{2}-[0-9]{4,5}",
        1 => "(\\.\\./)*GO-2024-[0-9]{4}(/\\.\\.)?",
        1 => "[ -~]{0,20}",
        1 => "\\PC{0,10}",
    ]
}

fn field() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => version_text().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => Just(json!([])),
    ]
}

fn module_name() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => Just(Value::from("stdlib")),
        3 => Just(Value::from("toolchain")),
        1 => Just(Value::from("golang.org/x/net")),
        1 => field(),
    ]
}

fn event() -> impl Strategy<Value = Value> {
    (any::<bool>(), field()).prop_map(|(intro, v)| {
        if intro {
            json!({ "introduced": v })
        } else {
            json!({ "fixed": v })
        }
    })
}

fn affected() -> impl Strategy<Value = Value> {
    (
        module_name(),
        prop_oneof![Just(Value::from("SEMVER")), field()],
        proptest::collection::vec(event(), 0..5),
        proptest::collection::vec("(linux|windows|darwin|[a-z]{0,4})", 0..2),
    )
        .prop_map(|(name, kind, events, goos)| {
            json!({"package": {"name": name, "ecosystem": "Go"},
                   "ranges": [{"type": kind, "events": events}],
                   "ecosystem_specific": {"imports": [{"path": "net/http", "goos": goos}]}})
        })
}

fn entry(id: String) -> impl Strategy<Value = Value> {
    (
        field(),
        proptest::option::of(field()),
        proptest::collection::vec("\\PC{0,12}", 0..3),
        "\\PC{0,40}",
        proptest::collection::vec(affected(), 0..3),
    )
        .prop_map(move |(modified, withdrawn, aliases, summary, affected)| {
            json!({"id": id, "modified": modified, "withdrawn": withdrawn,
                   "aliases": aliases, "summary": summary, "affected": affected})
        })
}

fn damaged(
    value: &Value,
    damage: Option<(proptest::sample::Index, u8)>,
    cut: Option<proptest::sample::Index>,
) -> String {
    let mut bytes = serde_json::to_vec(value).unwrap();
    if let Some((at, byte)) = damage {
        let at = at.index(bytes.len());
        bytes[at] = byte;
    }
    if let Some(cut) = cut {
        bytes.truncate(cut.index(bytes.len() + 1));
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn semver() -> impl Strategy<Value = Semver> {
    (
        0u64..3,
        0u64..30,
        0u64..20,
        proptest::collection::vec(
            prop_oneof![
                (0u64..5).prop_map(Ident::Num),
                "(rc|beta|alpha|0a|x-y)".prop_map(Ident::Alpha)
            ],
            0..3,
        ),
    )
        .prop_map(|(major, minor, patch, pre)| Semver {
            major,
            minor,
            patch,
            pre,
        })
}

fn go_release() -> impl Strategy<Value = String> {
    prop_oneof![
        (20u64..30, 0u64..20).prop_map(|(m, p)| format!("1.{m}.{p}")),
        (21u64..30, prop_oneof![Just("rc"), Just("beta")], 1u64..4)
            .prop_map(|(m, k, n)| format!("1.{m}{k}{n}")),
        (1u64..21).prop_map(|m| format!("1.{m}")),
    ]
}

proptest! {
    #![proptest_config(crate::test_config::proptest())]

    #[test]
    fn any_modules_index_parses_or_fails_with_a_message(
        modules in proptest::collection::vec(
            (module_name(), proptest::collection::vec((id(), field()), 0..4)),
            0..4,
        ),
        damage in proptest::option::of((any::<proptest::sample::Index>(), any::<u8>())),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
    ) {
        let value: Vec<Value> = modules
            .into_iter()
            .map(|(path, vulns)| json!({"path": path, "vulns": vulns.into_iter()
                .map(|(id, modified)| json!({"id": id, "modified": modified})).collect::<Vec<_>>()}))
            .collect();
        let text = damaged(&Value::from(value), damage, cut);
        match osv::parse_modules(&text) {
            Ok(listed) => {
                prop_assert!(listed.iter().all(|l| valid_id(&l.id)), "{listed:?}");
                prop_assert!(listed.len() <= text.len());
            }
            Err(message) => prop_assert!(!message.is_empty()),
        }
    }

    #[test]
    fn any_entry_parses_or_fails_and_judging_it_never_panics(
        (id, value) in id().prop_flat_map(|id| (Just(id.clone()), entry(id))),
        damage in proptest::option::of((any::<proptest::sample::Index>(), any::<u8>())),
        cut in proptest::option::of(any::<proptest::sample::Index>()),
        version in go_release(),
    ) {
        let text = damaged(&value, damage, cut);
        match osv::parse_entry(&id, &text) {
            Ok(entry) => {
                prop_assert_eq!(&entry.id, &id);
                prop_assert!(entry.affected.iter().all(|a| osv::GO_MODULES.contains(&a.module.as_str())));
                let v = gv_core::Version::parse(&version).unwrap();
                let semver = Semver::of_go(&v);
                for f in judge::affecting(std::slice::from_ref(&entry), &v, "linux", "amd64", "2026-12-07T00:00:00Z") {
                    if let (Some(fix), Some(at)) = (&f.fixed, &semver) {
                        prop_assert!(fix > at, "a fix above the version: {fix} vs {at}");
                    }
                }
            }
            Err(message) => prop_assert!(!message.is_empty()),
        }
    }

    #[test]
    fn the_comparator_is_a_total_order_and_round_trips(a in semver(), b in semver(), c in semver()) {
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        if a <= b && b <= c {
            prop_assert!(a <= c);
        }
        prop_assert_eq!(Semver::parse(&a.to_string()), Some(a.clone()));
        if a.pre.is_empty() && b.pre.is_empty() {
            prop_assert_eq!(a.cmp(&b), (a.major, a.minor, a.patch).cmp(&(b.major, b.minor, b.patch)));
        }
        // One interval [a, b): exactly the versions between. A fix at or before the
        // introduction closes nothing after it, as in govulncheck (sorted, then walked).
        let events = [Event::Introduced(Some(a.clone())), Event::Fixed(Some(b.clone()))];
        let expected = match a.cmp(&b) {
            std::cmp::Ordering::Less => a <= c && c < b,
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Greater => a <= c,
        };
        prop_assert_eq!(range_contains(&events, &c), expected);
    }

    #[test]
    fn go_releases_keep_their_order_as_semver(a in go_release(), b in go_release()) {
        let (va, vb) = (gv_core::Version::parse(&a).unwrap(), gv_core::Version::parse(&b).unwrap());
        let (sa, sb) = (Semver::of_go(&va).unwrap(), Semver::of_go(&vb).unwrap());
        prop_assert_eq!(va.cmp(&vb), sa.cmp(&sb), "{} vs {}", a, b);
        prop_assert_eq!(gv_core::Version::parse(&sa.go_version()).unwrap(), va);
    }
}
