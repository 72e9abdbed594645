//! A `PeerSession` over a `Hub<MemoryStore, OpenPolicy>` fed a script of what two devices do
//! (see `fieldclinic_fuzz::sync_script`): joins, real and corrupted automerge sync messages,
//! raw frames, ephemeral messages, leaves, revocations and failing writes. The session and the
//! hub never panic or hang, the server only sends frames that decode, and nothing stays
//! registered once every session finished and the hub shut down.

#![no_main]

use fieldclinic_fuzz::sync_script::{SyncScript, run};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|script: SyncScript| {
    run(&script);
});
