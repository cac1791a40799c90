// The knowledge files are built into the binary (include_str!, include_dir!). A macro
// cannot tell cargo about a file added to a directory, so this does: any change under
// knowledge/ rebuilds the crate.
fn main() {
    println!("cargo:rerun-if-changed=knowledge");
}
