//! The covered-provision families of `RULES.md` sections 3.1 and 3.2.

use serde::{Serialize, Serializer};

macro_rules! families {
    ($($(#[$vmeta:meta])* $variant:ident => $id:literal),+ $(,)?) => {
        /// A covered provision: the statute or regulation paragraph a count falls under.
        /// Serialised as its family id (`"USC_844"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Family {
            $($(#[$vmeta])* $variant,)+
        }

        impl Family {
            /// Every family, in the order of `RULES.md` section 3.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The family id of `RULES.md` section 3, e.g. `"DC_48_904_01_D1"`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $id),+ }
            }
        }
    };
}

families! {
    /// 21 U.S.C. 844, simple possession (both proclamations).
    Usc844 => "USC_844",
    /// 21 U.S.C. 846, attempt (10688 only; the conduct must be an attempt).
    Usc846 => "USC_846",
    /// D.C. Code 48-904.01(d)(1), simple possession (both proclamations).
    Dc48_904_01D1 => "DC_48_904_01_D1",
    /// D.C. Code 48-904.09, attempt (10688 only; the conduct must be an attempt).
    Dc48_904_09 => "DC_48_904_09",
    /// 25 CFR 11.452(a) (Courts of Indian Offenses).
    Cfr25_11_452A => "CFR_25_11_452_A",
    /// 32 CFR 1903.12(b)(2).
    Cfr32_1903_12B2 => "CFR_32_1903_12_B2",
    /// 36 CFR 2.35(b)(2).
    Cfr36_2_35B2 => "CFR_36_2_35_B2",
    /// 36 CFR 1002.35(b)(2).
    Cfr36_1002_35B2 => "CFR_36_1002_35_B2",
    /// 36 CFR 1280.16(a)(1).
    Cfr36_1280_16A1 => "CFR_36_1280_16_A1",
    /// 36 CFR 702.6(b).
    Cfr36_702_6B => "CFR_36_702_6_B",
    /// 41 CFR 102-74.400(a).
    Cfr41_102_74_400A => "CFR_41_102_74_400_A",
    /// 43 CFR 8365.1-4(b)(2).
    Cfr43_8365_1_4B2 => "CFR_43_8365_1_4_B2",
    /// 50 CFR 27.82(b)(2).
    Cfr50_27_82B2 => "CFR_50_27_82_B2",
}

impl Family {
    /// Whether the family is an inchoate-offense section (attempt or conspiracy), whose conduct
    /// must be checked (`RULES.md` section 6, step O3).
    #[must_use]
    pub const fn is_inchoate(self) -> bool {
        matches!(self, Self::Usc846 | Self::Dc48_904_09)
    }

    /// Whether Proclamation 10467 names the family (`SCOPE[10467]`); 10688 covers every family.
    #[must_use]
    pub const fn in_10467_scope(self) -> bool {
        matches!(self, Self::Usc844 | Self::Dc48_904_01D1)
    }
}

impl std::fmt::Display for Family {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Family {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
