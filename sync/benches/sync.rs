//! The sync engine's hot paths: the frame codec, generating and applying sync messages for an
//! intake-sized document, and save/load.

use std::hint::black_box;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ROOT, transaction::Transactable};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::protocol::{self, DocMessage, Message, PeerId};

/// Edits per benchmark document: an intake typed field by field on a tablet is a few hundred
/// small changes.
const EDITS: usize = 300;

fn intake_document() -> AutoCommit {
    let mut doc = AutoCommit::new();
    let person = doc
        .put_object(ROOT, "person", automerge::ObjType::Map)
        .unwrap();
    let offenses = doc
        .put_object(ROOT, "offenses", automerge::ObjType::List)
        .unwrap();
    for i in 0..EDITS {
        doc.put(&person, format!("field_{}", i % 20), format!("value {i}"))
            .unwrap();
        if i % 30 == 0 {
            let o = doc
                .insert_object(&offenses, 0, automerge::ObjType::Map)
                .unwrap();
            doc.put(&o, "citation", "21 U.S.C. § 844(a)").unwrap();
            doc.put(&o, "offense_date", "2015-06-01").unwrap();
        }
        doc.commit();
    }
    doc
}

fn codec(c: &mut Criterion) {
    let mut g = c.benchmark_group("codec");
    let m = Message::Sync(DocMessage {
        sender_id: PeerId::parse("peer-bench").unwrap(),
        target_id: PeerId::parse("server").unwrap(),
        document_id: DocumentId::random(),
        data: vec![0x42; 2048],
    });
    let frame = protocol::encode(&m);
    g.throughput(Throughput::Elements(1));
    g.bench_function("encode_sync_2k", |b| {
        b.iter(|| protocol::encode(black_box(&m)))
    });
    g.bench_function("decode_sync_2k", |b| {
        b.iter(|| protocol::decode(black_box(&frame)).unwrap())
    });
    g.finish();
}

fn sync_rounds(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync");
    let source = intake_document();
    g.throughput(Throughput::Elements(1));
    g.bench_function("initial_sync_into_empty_peer", |b| {
        b.iter_batched(
            || (source.clone(), AutoCommit::new()),
            |(mut a, mut b)| {
                let (mut sa, mut sb) = (sync::State::new(), sync::State::new());
                loop {
                    let ma = a.sync().generate_sync_message(&mut sa);
                    if let Some(m) = ma.clone() {
                        b.sync().receive_sync_message(&mut sb, m).unwrap();
                    }
                    let mb = b.sync().generate_sync_message(&mut sb);
                    if let Some(m) = mb.clone() {
                        a.sync().receive_sync_message(&mut sa, m).unwrap();
                    }
                    if ma.is_none() && mb.is_none() {
                        break;
                    }
                }
                b
            },
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

fn storage(c: &mut Criterion) {
    let mut g = c.benchmark_group("storage");
    let mut doc = intake_document();
    let saved = doc.save();
    let heads = doc.get_heads();
    g.throughput(Throughput::Elements(1));
    g.bench_function("save", |b| b.iter(|| doc.save()));
    g.bench_function("load", |b| {
        b.iter(|| AutoCommit::load(black_box(&saved)).unwrap())
    });
    g.bench_function("save_after_one_edit", |b| {
        b.iter_batched(
            || {
                let mut d = doc.clone();
                d.put(ROOT, "notes", "one more edit").unwrap();
                d.commit();
                d
            },
            |mut d| d.save_after(&heads),
            BatchSize::SmallInput,
        );
    });
    g.finish();
}

criterion_group!(benches, codec, sync_rounds, storage);
criterion_main!(benches);
