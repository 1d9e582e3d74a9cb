//! A minimal zip writer for test fixtures. Names are written raw and nothing is checked,
//! so tests can build the hostile zips a careful writer would refuse to produce.
#![allow(dead_code)]

use std::io::Write;

pub struct ZipEntry {
    pub name: Vec<u8>,
    pub data: Vec<u8>,
    pub deflate: bool,
    /// Unix mode stored in the external attributes (e.g. a symlink's 0o120777).
    pub unix_mode: u32,
    /// An uncompressed size to declare instead of the true one (a zip bomb's lie).
    pub declared_size: Option<u32>,
}

impl ZipEntry {
    pub fn file(name: &str, data: impl Into<Vec<u8>>) -> ZipEntry {
        ZipEntry {
            name: name.as_bytes().to_vec(),
            data: data.into(),
            deflate: true,
            unix_mode: 0o100644,
            declared_size: None,
        }
    }

    pub fn declare_size(mut self, size: u32) -> ZipEntry {
        self.declared_size = Some(size);
        self
    }

    pub fn stored(mut self) -> ZipEntry {
        self.deflate = false;
        self
    }

    pub fn mode(mut self, unix_mode: u32) -> ZipEntry {
        self.unix_mode = unix_mode;
        self
    }
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The zip of `entries`, in order.
pub fn zip(entries: &[ZipEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let mut crc = flate2::Crc::new();
        crc.update(&e.data);
        let body = if e.deflate {
            let mut enc =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(&e.data).expect("deflate");
            enc.finish().expect("deflate")
        } else {
            e.data.clone()
        };
        let method: u16 = if e.deflate { 8 } else { 0 };
        let size = e.declared_size.unwrap_or(e.data.len() as u32);
        let offset = out.len() as u32;
        // Local file header.
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, 20);
        u16le(&mut out, 0x0800);
        u16le(&mut out, method);
        u16le(&mut out, 0);
        u16le(&mut out, 0x5821);
        u32le(&mut out, crc.sum());
        u32le(&mut out, body.len() as u32);
        u32le(&mut out, size);
        u16le(&mut out, e.name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&body);
        // Its central directory record.
        u32le(&mut central, 0x0201_4b50);
        u16le(&mut central, (3 << 8) | 20);
        u16le(&mut central, 20);
        u16le(&mut central, 0x0800);
        u16le(&mut central, method);
        u16le(&mut central, 0);
        u16le(&mut central, 0x5821);
        u32le(&mut central, crc.sum());
        u32le(&mut central, body.len() as u32);
        u32le(&mut central, size);
        u16le(&mut central, e.name.len() as u16);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u32le(&mut central, e.unix_mode << 16);
        u32le(&mut central, offset);
        central.extend_from_slice(&e.name);
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, entries.len() as u16);
    u16le(&mut out, entries.len() as u16);
    u32le(&mut out, cd_size);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0);
    out
}
