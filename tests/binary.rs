//! The link settings of `.cargo/config.toml` and `build.rs` reach the binary: glibc linked in
//! (no program interpreter to load) and packed relative relocations (DT_RELR). They are what
//! makes a short `inspect` start faster than jwt-cli (BENCHMARKS.md); losing either changes
//! no behaviour, so only this test would notice. The function order is a release-build matter
//! (the names differ in a test build): `benches/compare.sh` reports it.
#![cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]

const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const DT_RELR: u64 = 36;

fn u16_at(bytes: &[u8], at: usize) -> usize {
    u16::from_le_bytes(bytes[at..at + 2].try_into().unwrap()).into()
}
fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}
fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

/// The binary's program headers, as (type, file offset, file size).
fn program_headers(elf: &[u8]) -> Vec<(u32, usize, usize)> {
    assert_eq!(&elf[..5], b"\x7fELF\x02", "a 64-bit ELF file");
    let (offset, size, count) = (
        u64_at(elf, 0x20) as usize,
        u16_at(elf, 0x36),
        u16_at(elf, 0x38),
    );
    (0..count)
        .map(|i| {
            let header = offset + i * size;
            (
                u32_at(elf, header),
                u64_at(elf, header + 8) as usize,
                u64_at(elf, header + 32) as usize,
            )
        })
        .collect()
}

#[test]
fn the_binary_is_static_and_packs_its_relocations() {
    let elf = std::fs::read(env!("CARGO_BIN_EXE_tokenbench")).unwrap();
    let headers = program_headers(&elf);
    assert!(
        !headers.iter().any(|&(kind, _, _)| kind == PT_INTERP),
        "the binary asks for a dynamic loader: +crt-static of .cargo/config.toml did not apply"
    );
    let &(_, offset, size) = headers
        .iter()
        .find(|&&(kind, _, _)| kind == PT_DYNAMIC)
        .expect("a static-pie binary has a dynamic section (for its own relocations)");
    let tags: Vec<u64> = (offset..offset + size)
        .step_by(16)
        .map(|entry| u64_at(&elf, entry))
        .collect();
    assert!(
        tags.contains(&DT_RELR),
        "no DT_RELR: build.rs did not link with -z pack-relative-relocs"
    );
}
