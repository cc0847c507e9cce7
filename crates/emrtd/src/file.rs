//! The files of the eMRTD application by what they are (ICAO 9303-10 §4):
//! EF.CardAccess, EF.COM, EF.SOD and the sixteen data groups. One type for
//! the reader, the simulator, the document read and whoever names a file
//! to a person or a folder, so no one handles raw `0x0101`s.

use crate::lds::DataGroup;

/// A file of the eMRTD application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileId {
    /// EF.CardAccess (011C): the PACE parameters, readable before access
    /// control.
    CardAccess,
    /// EF.COM (011E): versions and the data groups present.
    Com,
    /// EF.SOD (011D): the signed hashes of the data groups.
    Sod,
    /// A data group, DG1–DG16 (0101–0110).
    Dg(DataGroup),
}

impl FileId {
    /// DG1: the MRZ.
    pub const DG1: FileId = FileId::Dg(DataGroup(1));
    /// DG2: the face.
    pub const DG2: FileId = FileId::Dg(DataGroup(2));
    /// DG11: additional personal details.
    pub const DG11: FileId = FileId::Dg(DataGroup(11));
    /// DG12: additional document details.
    pub const DG12: FileId = FileId::Dg(DataGroup(12));
    /// DG14: the security infos (Chip Authentication).
    pub const DG14: FileId = FileId::Dg(DataGroup(14));
    /// DG15: the Active Authentication key.
    pub const DG15: FileId = FileId::Dg(DataGroup(15));

    /// The file identifier SELECT takes.
    pub fn id(self) -> u16 {
        match self {
            FileId::CardAccess => 0x011C,
            FileId::Com => 0x011E,
            FileId::Sod => 0x011D,
            FileId::Dg(dg) => dg.file_id(),
        }
    }

    /// The file with this identifier, if it is one of the application's.
    pub fn from_id(id: u16) -> Option<Self> {
        match id {
            0x011C => Some(FileId::CardAccess),
            0x011E => Some(FileId::Com),
            0x011D => Some(FileId::Sod),
            0x0101..=0x0110 => u8::try_from(id - 0x0100).ok().map(|n| FileId::Dg(DataGroup(n))),
            _ => None,
        }
    }

    /// A data group (1–16) by number.
    pub fn data_group(number: u8) -> Option<Self> {
        (1..=16).contains(&number).then_some(FileId::Dg(DataGroup(number)))
    }

    /// The data group it is, if it is one.
    pub fn as_data_group(self) -> Option<DataGroup> {
        match self {
            FileId::Dg(dg) => Some(dg),
            _ => None,
        }
    }

    /// Its short file identifier (the low five bits of its identifier).
    pub fn sfi(self) -> u8 {
        (self.id() & 0x1F) as u8
    }

    /// Its name as people read it: "EF.COM", "EF.SOD", "DG2".
    pub fn name(self) -> String {
        match self {
            FileId::CardAccess => "EF.CardAccess".into(),
            FileId::Com => "EF.COM".into(),
            FileId::Sod => "EF.SOD".into(),
            FileId::Dg(dg) => format!("DG{}", dg.0),
        }
    }

    /// Its name in a folder of files and in JSON: "EF_COM", "EF_SOD", "DG2".
    pub fn stem(self) -> String {
        match self {
            FileId::CardAccess => "EF_CardAccess".into(),
            FileId::Com => "EF_COM".into(),
            FileId::Sod => "EF_SOD".into(),
            FileId::Dg(dg) => format!("DG{}", dg.0),
        }
    }

    /// The file a folder's file name stands for: `EF_COM.bin`, `DG2.bin`,
    /// `Datagroup2.bin` (the BSI reference set), `ef0102.bin` (and `.dat`).
    pub fn from_file_name(name: &str) -> Option<Self> {
        let stem = name.strip_suffix(".bin").or_else(|| name.strip_suffix(".dat"))?;
        match stem {
            "EF_COM" => Some(FileId::Com),
            "EF_SOD" => Some(FileId::Sod),
            "EF_CardAccess" => Some(FileId::CardAccess),
            _ => {
                if let Some(n) = stem.strip_prefix("Datagroup").or_else(|| stem.strip_prefix("DG")) {
                    return n.parse::<u8>().ok().and_then(Self::data_group);
                }
                let hex = stem.strip_prefix("ef").or_else(|| stem.strip_prefix("EF"))?;
                u16::from_str_radix(hex, 16).ok().and_then(Self::from_id)
            }
        }
    }
}

/// Ordered by file identifier, as the chip lists them.
impl Ord for FileId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id().cmp(&other.id())
    }
}

impl PartialOrd for FileId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for FileId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_go_both_ways() {
        for id in (0x0100..=0x0120u16).chain([0x3F00, 0xFFFF, 0]) {
            if let Some(file) = FileId::from_id(id) {
                assert_eq!(file.id(), id);
            }
        }
        assert_eq!(FileId::from_id(0x0102), Some(FileId::DG2));
        assert_eq!(FileId::from_id(0x0100), None);
        assert_eq!(FileId::from_id(0x0111), None);
        assert_eq!(FileId::DG14.sfi(), 14);
        assert_eq!(FileId::Com.sfi(), 0x1E);
    }

    #[test]
    fn names_for_people_and_for_folders() {
        assert_eq!(FileId::Com.name(), "EF.COM");
        assert_eq!(FileId::DG2.to_string(), "DG2");
        assert_eq!(FileId::Sod.stem(), "EF_SOD");
        for (name, file) in [
            ("EF_COM.bin", Some(FileId::Com)),
            ("Datagroup1.bin", Some(FileId::DG1)),
            ("DG15.bin", Some(FileId::DG15)),
            ("ef011D.dat", Some(FileId::Sod)),
            ("ef0102.bin", Some(FileId::DG2)),
            ("DG17.bin", None),
            ("DG0.bin", None),
            ("ef3F00.bin", None),
            ("face.png", None),
            ("DG1", None),
        ] {
            assert_eq!(FileId::from_file_name(name), file, "{name}");
        }
        // What a folder is written with reads back.
        for n in 1..=16 {
            let file = FileId::data_group(n).expect("1–16");
            assert_eq!(FileId::from_file_name(&format!("{}.bin", file.stem())), Some(file));
        }
    }

    #[test]
    fn ordered_as_the_chip_numbers_them() {
        let mut files = vec![FileId::Sod, FileId::DG2, FileId::Com, FileId::DG1, FileId::CardAccess];
        files.sort();
        assert_eq!(files, [FileId::DG1, FileId::DG2, FileId::CardAccess, FileId::Sod, FileId::Com]);
    }
}
