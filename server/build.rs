// The binary embeds the intake app's built files (app/dist, see src/app_assets.rs). Their names
// carry content hashes, so a rebuild of the app adds and removes files; cargo notices changes to
// files it was told about, and a directory here makes it watch every file under it.
fn main() {
    println!("cargo:rerun-if-changed=../app/dist");
}
