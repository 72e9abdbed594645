//! Offense evaluations per second over the public cases of `RULES.md` section 12.
//!
//! The mix is every public case (59 cases, 60 offenses: every citation form, both cut-offs,
//! status variants, state/military/tribal courts, UCMJ articles, exclusions, conflicting conduct
//! and mixed records), evaluated as the server does: one `evaluate` call per person. Throughput
//! is counted in offenses.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fieldclinic_eligibility::{BatchCase, evaluate, input_hash, read_cases_json};
use std::hint::black_box;

/// The public cases, committed beside the integration test.
const CASES: &str = include_str!("../tests/cases.json");

fn cases() -> Vec<BatchCase> {
    match read_cases_json(CASES) {
        Ok(cases) => cases,
        Err(e) => panic!("tests/cases.json must be valid batch input: {e}"),
    }
}

fn engine(c: &mut Criterion) {
    let cases = cases();
    let offenses: usize = cases.iter().map(|case| case.offenses.len()).sum();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(offenses as u64));
    group.bench_function(BenchmarkId::new("evaluate", "public_mix"), |b| {
        b.iter(|| {
            for case in &cases {
                black_box(evaluate(black_box(&case.person), black_box(&case.offenses)));
            }
        });
    });
    group.bench_function(BenchmarkId::new("input_hash", "public_mix"), |b| {
        b.iter(|| {
            for case in &cases {
                black_box(input_hash(
                    black_box(&case.person),
                    black_box(&case.offenses),
                ));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
