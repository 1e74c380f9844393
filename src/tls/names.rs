//! Human-readable names for TLS code points.
//!
//! These tables turn the numbers found on the wire (cipher suites, supported
//! groups, extension types, signature schemes, alert descriptions and protocol
//! versions) into the names used in tlscope's JSON records and reports, so that
//! its output can be compared directly with Zeek, nDPI, Suricata and tshark.
//!
//! The names are the ones registered in the IANA "Transport Layer Security (TLS)
//! Parameters" and "TLS ExtensionType Values" registries, as defined by
//! RFC 5246, RFC 8446, RFC 4492 / RFC 8422, RFC 7919, RFC 5289, RFC 7905,
//! RFC 8998, RFC 9150, RFC 9367, RFC 8701 (GREASE) and the hybrid key exchange
//! drafts (draft-ietf-tls-ecdhe-mlkem, draft-ietf-tls-mlkem,
//! draft-tls-westerbaan-xyber768d00).  A handful of code points that never
//! reached the registry but are common in real traffic (pre-RFC ChaCha20 suites,
//! Chrome's ALPS, NPN, Channel ID, ESNI, TLS 1.3 draft versions) carry the names
//! used by BoringSSL, Wireshark and Zeek; each is marked as such below.
//!
//! Everything here is plain data: lookups are `match` statements, allocation
//! free, and return `None` for code points that are unassigned or reserved.

/// IANA name of a cipher suite (TLS Cipher Suites registry).
///
/// Besides the registry, the three pre-RFC 7905 ChaCha20-Poly1305 suites
/// (0xcc13..=0xcc15) are named with the `_OLD` suffix used by Zeek and
/// OpenSSL-derived tools.  GREASE values and reserved ranges return `None`.
pub fn cipher_name(id: u16) -> Option<&'static str> {
    let name = match id {
        0x0000 => "TLS_NULL_WITH_NULL_NULL",
        0x0001 => "TLS_RSA_WITH_NULL_MD5",
        0x0002 => "TLS_RSA_WITH_NULL_SHA",
        0x0003 => "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
        0x0004 => "TLS_RSA_WITH_RC4_128_MD5",
        0x0005 => "TLS_RSA_WITH_RC4_128_SHA",
        0x0006 => "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5",
        0x0007 => "TLS_RSA_WITH_IDEA_CBC_SHA",
        0x0008 => "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
        0x0009 => "TLS_RSA_WITH_DES_CBC_SHA",
        0x000a => "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        0x000b => "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA",
        0x000c => "TLS_DH_DSS_WITH_DES_CBC_SHA",
        0x000d => "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA",
        0x000e => "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA",
        0x000f => "TLS_DH_RSA_WITH_DES_CBC_SHA",
        0x0010 => "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0011 => "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
        0x0012 => "TLS_DHE_DSS_WITH_DES_CBC_SHA",
        0x0013 => "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
        0x0014 => "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
        0x0015 => "TLS_DHE_RSA_WITH_DES_CBC_SHA",
        0x0016 => "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0x0017 => "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5",
        0x0018 => "TLS_DH_anon_WITH_RC4_128_MD5",
        0x0019 => "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA",
        0x001a => "TLS_DH_anon_WITH_DES_CBC_SHA",
        0x001b => "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA",
        // 0x001c, 0x001d: reserved (SSLv3 FORTEZZA).
        0x001e => "TLS_KRB5_WITH_DES_CBC_SHA",
        0x001f => "TLS_KRB5_WITH_3DES_EDE_CBC_SHA",
        0x0020 => "TLS_KRB5_WITH_RC4_128_SHA",
        0x0021 => "TLS_KRB5_WITH_IDEA_CBC_SHA",
        0x0022 => "TLS_KRB5_WITH_DES_CBC_MD5",
        0x0023 => "TLS_KRB5_WITH_3DES_EDE_CBC_MD5",
        0x0024 => "TLS_KRB5_WITH_RC4_128_MD5",
        0x0025 => "TLS_KRB5_WITH_IDEA_CBC_MD5",
        0x0026 => "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA",
        0x0027 => "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA",
        0x0028 => "TLS_KRB5_EXPORT_WITH_RC4_40_SHA",
        0x0029 => "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5",
        0x002a => "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5",
        0x002b => "TLS_KRB5_EXPORT_WITH_RC4_40_MD5",
        0x002c => "TLS_PSK_WITH_NULL_SHA",
        0x002d => "TLS_DHE_PSK_WITH_NULL_SHA",
        0x002e => "TLS_RSA_PSK_WITH_NULL_SHA",
        0x002f => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0030 => "TLS_DH_DSS_WITH_AES_128_CBC_SHA",
        0x0031 => "TLS_DH_RSA_WITH_AES_128_CBC_SHA",
        0x0032 => "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
        0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        0x0034 => "TLS_DH_anon_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x0036 => "TLS_DH_DSS_WITH_AES_256_CBC_SHA",
        0x0037 => "TLS_DH_RSA_WITH_AES_256_CBC_SHA",
        0x0038 => "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
        0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        0x003a => "TLS_DH_anon_WITH_AES_256_CBC_SHA",
        0x003b => "TLS_RSA_WITH_NULL_SHA256",
        0x003c => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003d => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        0x003e => "TLS_DH_DSS_WITH_AES_128_CBC_SHA256",
        0x003f => "TLS_DH_RSA_WITH_AES_128_CBC_SHA256",
        0x0040 => "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
        0x0041 => "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA",
        0x0042 => "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA",
        0x0043 => "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA",
        0x0044 => "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA",
        0x0045 => "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA",
        0x0046 => "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA",
        // 0x0047..=0x0066: reserved to avoid conflicts with deployed
        // implementations (the unofficial EXPORT1024 suites live here).
        0x0067 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        0x0068 => "TLS_DH_DSS_WITH_AES_256_CBC_SHA256",
        0x0069 => "TLS_DH_RSA_WITH_AES_256_CBC_SHA256",
        0x006a => "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
        0x006b => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        0x006c => "TLS_DH_anon_WITH_AES_128_CBC_SHA256",
        0x006d => "TLS_DH_anon_WITH_AES_256_CBC_SHA256",
        0x0084 => "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA",
        0x0085 => "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA",
        0x0086 => "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA",
        0x0087 => "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA",
        0x0088 => "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA",
        0x0089 => "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA",
        0x008a => "TLS_PSK_WITH_RC4_128_SHA",
        0x008b => "TLS_PSK_WITH_3DES_EDE_CBC_SHA",
        0x008c => "TLS_PSK_WITH_AES_128_CBC_SHA",
        0x008d => "TLS_PSK_WITH_AES_256_CBC_SHA",
        0x008e => "TLS_DHE_PSK_WITH_RC4_128_SHA",
        0x008f => "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA",
        0x0090 => "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",
        0x0091 => "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",
        0x0092 => "TLS_RSA_PSK_WITH_RC4_128_SHA",
        0x0093 => "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA",
        0x0094 => "TLS_RSA_PSK_WITH_AES_128_CBC_SHA",
        0x0095 => "TLS_RSA_PSK_WITH_AES_256_CBC_SHA",
        0x0096 => "TLS_RSA_WITH_SEED_CBC_SHA",
        0x0097 => "TLS_DH_DSS_WITH_SEED_CBC_SHA",
        0x0098 => "TLS_DH_RSA_WITH_SEED_CBC_SHA",
        0x0099 => "TLS_DHE_DSS_WITH_SEED_CBC_SHA",
        0x009a => "TLS_DHE_RSA_WITH_SEED_CBC_SHA",
        0x009b => "TLS_DH_anon_WITH_SEED_CBC_SHA",
        0x009c => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009d => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x009e => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009f => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x00a0 => "TLS_DH_RSA_WITH_AES_128_GCM_SHA256",
        0x00a1 => "TLS_DH_RSA_WITH_AES_256_GCM_SHA384",
        0x00a2 => "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
        0x00a3 => "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
        0x00a4 => "TLS_DH_DSS_WITH_AES_128_GCM_SHA256",
        0x00a5 => "TLS_DH_DSS_WITH_AES_256_GCM_SHA384",
        0x00a6 => "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
        0x00a7 => "TLS_DH_anon_WITH_AES_256_GCM_SHA384",
        0x00a8 => "TLS_PSK_WITH_AES_128_GCM_SHA256",
        0x00a9 => "TLS_PSK_WITH_AES_256_GCM_SHA384",
        0x00aa => "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
        0x00ab => "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
        0x00ac => "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256",
        0x00ad => "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384",
        0x00ae => "TLS_PSK_WITH_AES_128_CBC_SHA256",
        0x00af => "TLS_PSK_WITH_AES_256_CBC_SHA384",
        0x00b0 => "TLS_PSK_WITH_NULL_SHA256",
        0x00b1 => "TLS_PSK_WITH_NULL_SHA384",
        0x00b2 => "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",
        0x00b3 => "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384",
        0x00b4 => "TLS_DHE_PSK_WITH_NULL_SHA256",
        0x00b5 => "TLS_DHE_PSK_WITH_NULL_SHA384",
        0x00b6 => "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256",
        0x00b7 => "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384",
        0x00b8 => "TLS_RSA_PSK_WITH_NULL_SHA256",
        0x00b9 => "TLS_RSA_PSK_WITH_NULL_SHA384",
        0x00ba => "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        0x00bb => "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256",
        0x00bc => "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        0x00bd => "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256",
        0x00be => "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        0x00bf => "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256",
        0x00c0 => "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        0x00c1 => "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256",
        0x00c2 => "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        0x00c3 => "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256",
        0x00c4 => "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256",
        0x00c5 => "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256",
        // RFC 8998 (ShangMi, TLS 1.3 only).
        0x00c6 => "TLS_SM4_GCM_SM3",
        0x00c7 => "TLS_SM4_CCM_SM3",
        // RFC 5746.
        0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
        // RFC 8446 and successors: TLS 1.3 suites.
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x1304 => "TLS_AES_128_CCM_SHA256",
        0x1305 => "TLS_AES_128_CCM_8_SHA256",
        0x1306 => "TLS_AEGIS_256_SHA512",
        0x1307 => "TLS_AEGIS_128L_SHA256",
        // RFC 7507.
        0x5600 => "TLS_FALLBACK_SCSV",
        // RFC 8422 / RFC 4492.
        0xc001 => "TLS_ECDH_ECDSA_WITH_NULL_SHA",
        0xc002 => "TLS_ECDH_ECDSA_WITH_RC4_128_SHA",
        0xc003 => "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA",
        0xc004 => "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA",
        0xc005 => "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA",
        0xc006 => "TLS_ECDHE_ECDSA_WITH_NULL_SHA",
        0xc007 => "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
        0xc008 => "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
        0xc009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xc00a => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xc00b => "TLS_ECDH_RSA_WITH_NULL_SHA",
        0xc00c => "TLS_ECDH_RSA_WITH_RC4_128_SHA",
        0xc00d => "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA",
        0xc00e => "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA",
        0xc00f => "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA",
        0xc010 => "TLS_ECDHE_RSA_WITH_NULL_SHA",
        0xc011 => "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
        0xc012 => "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        0xc013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xc014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xc015 => "TLS_ECDH_anon_WITH_NULL_SHA",
        0xc016 => "TLS_ECDH_anon_WITH_RC4_128_SHA",
        0xc017 => "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA",
        0xc018 => "TLS_ECDH_anon_WITH_AES_128_CBC_SHA",
        0xc019 => "TLS_ECDH_anon_WITH_AES_256_CBC_SHA",
        // RFC 5054 (SRP).
        0xc01a => "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA",
        0xc01b => "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA",
        0xc01c => "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA",
        0xc01d => "TLS_SRP_SHA_WITH_AES_128_CBC_SHA",
        0xc01e => "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA",
        0xc01f => "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA",
        0xc020 => "TLS_SRP_SHA_WITH_AES_256_CBC_SHA",
        0xc021 => "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA",
        0xc022 => "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA",
        // RFC 5289.
        0xc023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        0xc024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0xc025 => "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256",
        0xc026 => "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384",
        0xc027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xc028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0xc029 => "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256",
        0xc02a => "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384",
        0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02d => "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256",
        0xc02e => "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384",
        0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xc031 => "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256",
        0xc032 => "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384",
        // RFC 5489 (ECDHE_PSK).
        0xc033 => "TLS_ECDHE_PSK_WITH_RC4_128_SHA",
        0xc034 => "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA",
        0xc035 => "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",
        0xc036 => "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA",
        0xc037 => "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256",
        0xc038 => "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384",
        0xc039 => "TLS_ECDHE_PSK_WITH_NULL_SHA",
        0xc03a => "TLS_ECDHE_PSK_WITH_NULL_SHA256",
        0xc03b => "TLS_ECDHE_PSK_WITH_NULL_SHA384",
        // RFC 6209 (ARIA).
        0xc03c => "TLS_RSA_WITH_ARIA_128_CBC_SHA256",
        0xc03d => "TLS_RSA_WITH_ARIA_256_CBC_SHA384",
        0xc03e => "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256",
        0xc03f => "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384",
        0xc040 => "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256",
        0xc041 => "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384",
        0xc042 => "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256",
        0xc043 => "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384",
        0xc044 => "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256",
        0xc045 => "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384",
        0xc046 => "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256",
        0xc047 => "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384",
        0xc048 => "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256",
        0xc049 => "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384",
        0xc04a => "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256",
        0xc04b => "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384",
        0xc04c => "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256",
        0xc04d => "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384",
        0xc04e => "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256",
        0xc04f => "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384",
        0xc050 => "TLS_RSA_WITH_ARIA_128_GCM_SHA256",
        0xc051 => "TLS_RSA_WITH_ARIA_256_GCM_SHA384",
        0xc052 => "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256",
        0xc053 => "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384",
        0xc054 => "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256",
        0xc055 => "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384",
        0xc056 => "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256",
        0xc057 => "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384",
        0xc058 => "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256",
        0xc059 => "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384",
        0xc05a => "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256",
        0xc05b => "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384",
        0xc05c => "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256",
        0xc05d => "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384",
        0xc05e => "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256",
        0xc05f => "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384",
        0xc060 => "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256",
        0xc061 => "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384",
        0xc062 => "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256",
        0xc063 => "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384",
        0xc064 => "TLS_PSK_WITH_ARIA_128_CBC_SHA256",
        0xc065 => "TLS_PSK_WITH_ARIA_256_CBC_SHA384",
        0xc066 => "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256",
        0xc067 => "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384",
        0xc068 => "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256",
        0xc069 => "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384",
        0xc06a => "TLS_PSK_WITH_ARIA_128_GCM_SHA256",
        0xc06b => "TLS_PSK_WITH_ARIA_256_GCM_SHA384",
        0xc06c => "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256",
        0xc06d => "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384",
        0xc06e => "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256",
        0xc06f => "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384",
        0xc070 => "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256",
        0xc071 => "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384",
        // RFC 6367 (Camellia).
        0xc072 => "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",
        0xc073 => "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",
        0xc074 => "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256",
        0xc075 => "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384",
        0xc076 => "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        0xc077 => "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384",
        0xc078 => "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256",
        0xc079 => "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384",
        0xc07a => "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256",
        0xc07b => "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384",
        0xc07c => "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256",
        0xc07d => "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384",
        0xc07e => "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256",
        0xc07f => "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384",
        0xc080 => "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256",
        0xc081 => "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384",
        0xc082 => "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256",
        0xc083 => "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384",
        0xc084 => "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256",
        0xc085 => "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384",
        0xc086 => "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256",
        0xc087 => "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384",
        0xc088 => "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256",
        0xc089 => "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384",
        0xc08a => "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256",
        0xc08b => "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384",
        0xc08c => "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256",
        0xc08d => "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384",
        0xc08e => "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256",
        0xc08f => "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384",
        0xc090 => "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256",
        0xc091 => "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384",
        0xc092 => "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256",
        0xc093 => "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384",
        0xc094 => "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256",
        0xc095 => "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384",
        0xc096 => "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256",
        0xc097 => "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384",
        0xc098 => "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256",
        0xc099 => "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384",
        0xc09a => "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256",
        0xc09b => "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384",
        // RFC 6655 / RFC 7251 (AES-CCM).
        0xc09c => "TLS_RSA_WITH_AES_128_CCM",
        0xc09d => "TLS_RSA_WITH_AES_256_CCM",
        0xc09e => "TLS_DHE_RSA_WITH_AES_128_CCM",
        0xc09f => "TLS_DHE_RSA_WITH_AES_256_CCM",
        0xc0a0 => "TLS_RSA_WITH_AES_128_CCM_8",
        0xc0a1 => "TLS_RSA_WITH_AES_256_CCM_8",
        0xc0a2 => "TLS_DHE_RSA_WITH_AES_128_CCM_8",
        0xc0a3 => "TLS_DHE_RSA_WITH_AES_256_CCM_8",
        0xc0a4 => "TLS_PSK_WITH_AES_128_CCM",
        0xc0a5 => "TLS_PSK_WITH_AES_256_CCM",
        0xc0a6 => "TLS_DHE_PSK_WITH_AES_128_CCM",
        0xc0a7 => "TLS_DHE_PSK_WITH_AES_256_CCM",
        0xc0a8 => "TLS_PSK_WITH_AES_128_CCM_8",
        0xc0a9 => "TLS_PSK_WITH_AES_256_CCM_8",
        0xc0aa => "TLS_PSK_DHE_WITH_AES_128_CCM_8",
        0xc0ab => "TLS_PSK_DHE_WITH_AES_256_CCM_8",
        0xc0ac => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM",
        0xc0ad => "TLS_ECDHE_ECDSA_WITH_AES_256_CCM",
        0xc0ae => "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
        0xc0af => "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8",
        // RFC 8492 (ECCPWD).
        0xc0b0 => "TLS_ECCPWD_WITH_AES_128_GCM_SHA256",
        0xc0b1 => "TLS_ECCPWD_WITH_AES_256_GCM_SHA384",
        0xc0b2 => "TLS_ECCPWD_WITH_AES_128_CCM_SHA256",
        0xc0b3 => "TLS_ECCPWD_WITH_AES_256_CCM_SHA384",
        // RFC 9150 (integrity-only TLS 1.3).
        0xc0b4 => "TLS_SHA256_SHA256",
        0xc0b5 => "TLS_SHA384_SHA384",
        // RFC 9189 / RFC 9367 (GOST).
        0xc100 => "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC",
        0xc101 => "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC",
        0xc102 => "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT",
        0xc103 => "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L",
        0xc104 => "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L",
        0xc105 => "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S",
        0xc106 => "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S",
        // Not in the registry: draft-agl-tls-chacha20poly1305 code points used by
        // Chrome and BoringSSL before RFC 7905 (Zeek's names).
        0xcc13 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
        0xcc14 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
        0xcc15 => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD",
        // RFC 7905.
        0xcca8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xcca9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xccaa => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xccab => "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256",
        0xccac => "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        0xccad => "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
        0xccae => "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256",
        // RFC 8442 (ECDHE_PSK with AES-GCM/CCM).
        0xd001 => "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256",
        0xd002 => "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384",
        0xd003 => "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256",
        0xd005 => "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256",
        _ => return None,
    };
    Some(name)
}

/// IANA name of a supported group / named curve (TLS Supported Groups
/// registry, formerly "EC Named Curve").
pub fn group_name(id: u16) -> Option<&'static str> {
    let name = match id {
        // RFC 4492 (deprecated by RFC 8422 except 23..=25).
        1 => "sect163k1",
        2 => "sect163r1",
        3 => "sect163r2",
        4 => "sect193r1",
        5 => "sect193r2",
        6 => "sect233k1",
        7 => "sect233r1",
        8 => "sect239k1",
        9 => "sect283k1",
        10 => "sect283r1",
        11 => "sect409k1",
        12 => "sect409r1",
        13 => "sect571k1",
        14 => "sect571r1",
        15 => "secp160k1",
        16 => "secp160r1",
        17 => "secp160r2",
        18 => "secp192k1",
        19 => "secp192r1",
        20 => "secp224k1",
        21 => "secp224r1",
        22 => "secp256k1",
        23 => "secp256r1",
        24 => "secp384r1",
        25 => "secp521r1",
        // RFC 7027.
        26 => "brainpoolP256r1",
        27 => "brainpoolP384r1",
        28 => "brainpoolP512r1",
        // RFC 8422 / RFC 7748.
        29 => "x25519",
        30 => "x448",
        // RFC 8734.
        31 => "brainpoolP256r1tls13",
        32 => "brainpoolP384r1tls13",
        33 => "brainpoolP512r1tls13",
        // RFC 9189 (GOST).
        34 => "GC256A",
        35 => "GC256B",
        36 => "GC256C",
        37 => "GC256D",
        38 => "GC512A",
        39 => "GC512B",
        40 => "GC512C",
        // RFC 8998.
        41 => "curveSM2",
        // RFC 7919.
        256 => "ffdhe2048",
        257 => "ffdhe3072",
        258 => "ffdhe4096",
        259 => "ffdhe6144",
        260 => "ffdhe8192",
        // draft-ietf-tls-mlkem (pure ML-KEM).
        0x0200 => "MLKEM512",
        0x0201 => "MLKEM768",
        0x0202 => "MLKEM1024",
        // draft-ietf-tls-ecdhe-mlkem (hybrids).
        0x11eb => "SecP256r1MLKEM768",
        0x11ec => "X25519MLKEM768",
        0x11ed => "SecP384r1MLKEM1024",
        // draft-yang-tls-hybrid-sm2-mlkem.
        0x11ee => "curveSM2MLKEM768",
        // draft-tls-westerbaan-xyber768d00 and its P-256 sibling (pre-standard Kyber).
        0x6399 => "X25519Kyber768Draft00",
        0x639a => "SecP256r1Kyber768Draft00",
        // RFC 8422: explicit curves (deprecated).
        0xff01 => "arbitrary_explicit_prime_curves",
        0xff02 => "arbitrary_explicit_char2_curves",
        _ => return None,
    };
    Some(name)
}

/// Whether a supported group is post-quantum: pure ML-KEM, an ML-KEM hybrid,
/// or one of the pre-standard Kyber hybrids.
pub fn is_post_quantum_group(id: u16) -> bool {
    matches!(
        id,
        0x0200..=0x0202 | 0x11eb..=0x11ee | 0x6399 | 0x639a
    )
}

/// IANA name of an extension type (TLS ExtensionType Values registry).
///
/// A few widely deployed unregistered code points are named as BoringSSL and
/// Wireshark name them: NPN (13172), Channel ID (30031/30032), ALPS (17513,
/// and its newer code point 17613 as `application_settings_new`) and the ESNI
/// draft (0xffce).
pub fn extension_name(id: u16) -> Option<&'static str> {
    let name = match id {
        0 => "server_name",
        1 => "max_fragment_length",
        2 => "client_certificate_url",
        3 => "trusted_ca_keys",
        4 => "truncated_hmac",
        5 => "status_request",
        6 => "user_mapping",
        7 => "client_authz",
        8 => "server_authz",
        9 => "cert_type",
        10 => "supported_groups",
        11 => "ec_point_formats",
        12 => "srp",
        13 => "signature_algorithms",
        14 => "use_srtp",
        15 => "heartbeat",
        16 => "application_layer_protocol_negotiation",
        17 => "status_request_v2",
        18 => "signed_certificate_timestamp",
        19 => "client_certificate_type",
        20 => "server_certificate_type",
        21 => "padding",
        22 => "encrypt_then_mac",
        23 => "extended_master_secret",
        24 => "token_binding",
        25 => "cached_info",
        26 => "tls_lts",
        27 => "compress_certificate",
        28 => "record_size_limit",
        29 => "pwd_protect",
        30 => "pwd_clear",
        31 => "password_salt",
        32 => "ticket_pinning",
        33 => "tls_cert_with_extern_psk",
        34 => "delegated_credential",
        35 => "session_ticket",
        36 => "TLMSP",
        37 => "TLMSP_proxying",
        38 => "TLMSP_delegate",
        39 => "supported_ekt_ciphers",
        // 40: reserved (key_share in TLS 1.3 drafts).
        41 => "pre_shared_key",
        42 => "early_data",
        43 => "supported_versions",
        44 => "cookie",
        45 => "psk_key_exchange_modes",
        // 46: reserved (ticket_early_data_info in TLS 1.3 drafts).
        47 => "certificate_authorities",
        48 => "oid_filters",
        49 => "post_handshake_auth",
        50 => "signature_algorithms_cert",
        51 => "key_share",
        52 => "transparency_info",
        53 => "connection_id_deprecated",
        54 => "connection_id",
        55 => "external_id_hash",
        56 => "external_session_id",
        57 => "quic_transport_parameters",
        58 => "ticket_request",
        59 => "dnssec_chain",
        60 => "sequence_number_encryption_algorithms",
        61 => "rrc",
        62 => "tls_flags",
        // Unregistered: draft-agl-tls-nextprotoneg.
        13172 => "next_protocol_negotiation",
        // Unregistered: draft-vvv-tls-alps, old and new code points.
        17513 => "application_settings",
        17613 => "application_settings_new",
        // Unregistered: draft-balfanz-tls-channelid.
        30031 => "channel_id_old",
        30032 => "channel_id",
        // draft-ietf-tls-esni (ECH).
        0xfd00 => "ech_outer_extensions",
        0xfe0d => "encrypted_client_hello",
        // Unregistered: the early ESNI drafts.
        0xffce => "encrypted_server_name",
        // RFC 5746.
        0xff01 => "renegotiation_info",
        _ => return None,
    };
    Some(name)
}

/// IANA name of a TLS 1.3 SignatureScheme (TLS SignatureScheme registry).
///
/// TLS 1.2 hash/signature pairs that never became schemes (for example 0x0303,
/// SHA-224 with ECDSA, or the DSA pairs) return `None`.
pub fn sig_scheme_name(id: u16) -> Option<&'static str> {
    let name = match id {
        0x0201 => "rsa_pkcs1_sha1",
        0x0203 => "ecdsa_sha1",
        0x0401 => "rsa_pkcs1_sha256",
        0x0403 => "ecdsa_secp256r1_sha256",
        0x0420 => "rsa_pkcs1_sha256_legacy",
        0x0501 => "rsa_pkcs1_sha384",
        0x0503 => "ecdsa_secp384r1_sha384",
        0x0520 => "rsa_pkcs1_sha384_legacy",
        0x0601 => "rsa_pkcs1_sha512",
        0x0603 => "ecdsa_secp521r1_sha512",
        0x0620 => "rsa_pkcs1_sha512_legacy",
        0x0704 => "eccsi_sha256",
        0x0705 => "iso_ibs1",
        0x0706 => "iso_ibs2",
        0x0707 => "iso_chinese_ibs",
        0x0708 => "sm2sig_sm3",
        0x0709 => "gostr34102012_256a",
        0x070a => "gostr34102012_256b",
        0x070b => "gostr34102012_256c",
        0x070c => "gostr34102012_256d",
        0x070d => "gostr34102012_512a",
        0x070e => "gostr34102012_512b",
        0x070f => "gostr34102012_512c",
        0x0804 => "rsa_pss_rsae_sha256",
        0x0805 => "rsa_pss_rsae_sha384",
        0x0806 => "rsa_pss_rsae_sha512",
        0x0807 => "ed25519",
        0x0808 => "ed448",
        0x0809 => "rsa_pss_pss_sha256",
        0x080a => "rsa_pss_pss_sha384",
        0x080b => "rsa_pss_pss_sha512",
        0x081a => "ecdsa_brainpoolP256r1tls13_sha256",
        0x081b => "ecdsa_brainpoolP384r1tls13_sha384",
        0x081c => "ecdsa_brainpoolP512r1tls13_sha512",
        0x0904 => "mldsa44",
        0x0905 => "mldsa65",
        0x0906 => "mldsa87",
        _ => return None,
    };
    Some(name)
}

/// RFC 8446 §6 / IANA TLS Alerts registry name of an alert description.
pub fn alert_name(desc: u8) -> Option<&'static str> {
    let name = match desc {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        52 => "too_many_cids_requested",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        121 => "ech_required",
        _ => return None,
    };
    Some(name)
}

/// Names of the TLS 1.3 draft versions, indexed by draft number (0x7f00 | n).
static TLS13_DRAFTS: [&str; 29] = [
    "TLSv1.3-draft0",
    "TLSv1.3-draft1",
    "TLSv1.3-draft2",
    "TLSv1.3-draft3",
    "TLSv1.3-draft4",
    "TLSv1.3-draft5",
    "TLSv1.3-draft6",
    "TLSv1.3-draft7",
    "TLSv1.3-draft8",
    "TLSv1.3-draft9",
    "TLSv1.3-draft10",
    "TLSv1.3-draft11",
    "TLSv1.3-draft12",
    "TLSv1.3-draft13",
    "TLSv1.3-draft14",
    "TLSv1.3-draft15",
    "TLSv1.3-draft16",
    "TLSv1.3-draft17",
    "TLSv1.3-draft18",
    "TLSv1.3-draft19",
    "TLSv1.3-draft20",
    "TLSv1.3-draft21",
    "TLSv1.3-draft22",
    "TLSv1.3-draft23",
    "TLSv1.3-draft24",
    "TLSv1.3-draft25",
    "TLSv1.3-draft26",
    "TLSv1.3-draft27",
    "TLSv1.3-draft28",
];

/// Name of a protocol version as it appears in a record header, a hello or
/// the supported_versions extension.  TLS 1.3 drafts (0x7f00 | n, n <= 28)
/// are named `TLSv1.3-draftN`; vendor experiments (e.g. Facebook's 0xfb1a)
/// return `None`.
pub fn version_name(v: u16) -> Option<&'static str> {
    let name = match v {
        0x0002 => "SSLv2",
        0x0300 => "SSLv3",
        0x0301 => "TLSv1.0",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        0xfeff => "DTLSv1.0",
        0xfefd => "DTLSv1.2",
        0xfefc => "DTLSv1.3",
        0x7f00..=0x7f1c => TLS13_DRAFTS[usize::from(v & 0x00ff)],
        _ => return None,
    };
    Some(name)
}

/// RFC 8701 GREASE value: both bytes equal and of the form 0x?a.
///
/// The sixteen values are 0x0a0a, 0x1a1a, ..., 0xfafa; they are valid in
/// cipher suites, extensions, groups, signature algorithms, versions and
/// ALPN-adjacent lists alike.
pub fn is_grease(v: u16) -> bool {
    (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0x00ff)
}

/// Shared display rule: GREASE first, then the name, then lowercase hex.
fn label(id: u16, lookup: fn(u16) -> Option<&'static str>) -> String {
    if is_grease(id) {
        format!("GREASE(0x{id:04x})")
    } else if let Some(name) = lookup(id) {
        name.to_string()
    } else {
        format!("0x{id:04x}")
    }
}

/// Display label for a cipher suite: its name, `GREASE(0x....)`, or `0x....`.
pub fn cipher_label(id: u16) -> String {
    label(id, cipher_name)
}

/// Display label for a supported group: its name, `GREASE(0x....)`, or `0x....`.
pub fn group_label(id: u16) -> String {
    label(id, group_name)
}

/// Display label for an extension type: its name, `GREASE(0x....)`, or `0x....`.
pub fn extension_label(id: u16) -> String {
    label(id, extension_name)
}

/// Display label for a signature scheme: its name, `GREASE(0x....)`, or `0x....`.
pub fn sig_scheme_label(id: u16) -> String {
    label(id, sig_scheme_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cipher_spot_checks() {
        let cases: &[(u16, &str)] = &[
            (0x0000, "TLS_NULL_WITH_NULL_NULL"),
            (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
            (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
            (0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"),
            (0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
            (0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"),
            (0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA"),
            (0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"),
            (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
            (0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"),
            (0x008e, "TLS_DHE_PSK_WITH_RC4_128_SHA"),
            (0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
            (0x00b9, "TLS_RSA_PSK_WITH_NULL_SHA384"),
            (0x00c6, "TLS_SM4_GCM_SM3"),
            (0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"),
            (0x1301, "TLS_AES_128_GCM_SHA256"),
            (0x1302, "TLS_AES_256_GCM_SHA384"),
            (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
            (0x1305, "TLS_AES_128_CCM_8_SHA256"),
            (0x5600, "TLS_FALLBACK_SCSV"),
            (0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
            (0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            (0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            (0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            (0xc05c, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"),
            (0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8"),
            (0xc0b0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256"),
            (0xc0b4, "TLS_SHA256_SHA256"),
            (0xc103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L"),
            (0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
            (0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            (0xcc13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD"),
            (0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"),
        ];
        for &(id, name) in cases {
            assert_eq!(cipher_name(id), Some(name), "cipher 0x{id:04x}");
        }
        for id in [
            0x001c, 0x0047, 0x0060, 0x0080, 0x00c8, 0x1300, 0xd004, 0xffff,
        ] {
            assert_eq!(cipher_name(id), None, "cipher 0x{id:04x}");
        }
    }

    #[test]
    fn cipher_names_are_well_formed() {
        let mut count = 0;
        for id in 0..=u16::MAX {
            if let Some(name) = cipher_name(id) {
                count += 1;
                assert!(name.starts_with("TLS_"), "{name}");
                assert!(
                    name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                    "{name}"
                );
                assert!(!is_grease(id));
            }
        }
        assert!(count > 340, "only {count} cipher suites");
    }

    #[test]
    fn group_spot_checks() {
        let cases: &[(u16, &str)] = &[
            (1, "sect163k1"),
            (14, "sect571r1"),
            (22, "secp256k1"),
            (23, "secp256r1"),
            (24, "secp384r1"),
            (25, "secp521r1"),
            (26, "brainpoolP256r1"),
            (28, "brainpoolP512r1"),
            (29, "x25519"),
            (30, "x448"),
            (31, "brainpoolP256r1tls13"),
            (34, "GC256A"),
            (40, "GC512C"),
            (41, "curveSM2"),
            (256, "ffdhe2048"),
            (260, "ffdhe8192"),
            (0x0200, "MLKEM512"),
            (0x0201, "MLKEM768"),
            (0x0202, "MLKEM1024"),
            (0x11eb, "SecP256r1MLKEM768"),
            (0x11ec, "X25519MLKEM768"),
            (0x11ed, "SecP384r1MLKEM1024"),
            (0x11ee, "curveSM2MLKEM768"),
            (0x6399, "X25519Kyber768Draft00"),
            (0x639a, "SecP256r1Kyber768Draft00"),
            (0xff01, "arbitrary_explicit_prime_curves"),
            (0xff02, "arbitrary_explicit_char2_curves"),
        ];
        for &(id, name) in cases {
            assert_eq!(group_name(id), Some(name), "group {id:#06x}");
        }
        for id in [0, 42, 255, 261, 0x0203, 0x11ea, 0x11ef, 0x0a0a] {
            assert_eq!(group_name(id), None, "group {id:#06x}");
        }
    }

    #[test]
    fn post_quantum_groups() {
        for id in [
            0x0200, 0x0201, 0x0202, 0x11eb, 0x11ec, 0x11ed, 0x11ee, 0x6399, 0x639a,
        ] {
            assert!(is_post_quantum_group(id), "{id:#06x}");
            assert!(group_name(id).is_some(), "{id:#06x}");
        }
        for id in [
            23, 24, 25, 29, 30, 256, 0x0203, 0x11ea, 0x11ef, 0x6398, 0x639b, 0x0a0a,
        ] {
            assert!(!is_post_quantum_group(id), "{id:#06x}");
        }
    }

    #[test]
    fn extension_spot_checks() {
        let cases: &[(u16, &str)] = &[
            (0, "server_name"),
            (1, "max_fragment_length"),
            (5, "status_request"),
            (10, "supported_groups"),
            (11, "ec_point_formats"),
            (13, "signature_algorithms"),
            (16, "application_layer_protocol_negotiation"),
            (18, "signed_certificate_timestamp"),
            (21, "padding"),
            (23, "extended_master_secret"),
            (27, "compress_certificate"),
            (28, "record_size_limit"),
            (35, "session_ticket"),
            (41, "pre_shared_key"),
            (42, "early_data"),
            (43, "supported_versions"),
            (44, "cookie"),
            (45, "psk_key_exchange_modes"),
            (47, "certificate_authorities"),
            (49, "post_handshake_auth"),
            (50, "signature_algorithms_cert"),
            (51, "key_share"),
            (57, "quic_transport_parameters"),
            (13172, "next_protocol_negotiation"),
            (17513, "application_settings"),
            (17613, "application_settings_new"),
            (0xfe0d, "encrypted_client_hello"),
            (0xffce, "encrypted_server_name"),
            (0xff01, "renegotiation_info"),
        ];
        for &(id, name) in cases {
            assert_eq!(extension_name(id), Some(name), "extension {id}");
        }
        for id in [40, 46, 0x0a0a, 0xfaf0, 0xffff] {
            assert_eq!(extension_name(id), None, "extension {id}");
        }
    }

    #[test]
    fn sig_scheme_spot_checks() {
        let cases: &[(u16, &str)] = &[
            (0x0201, "rsa_pkcs1_sha1"),
            (0x0203, "ecdsa_sha1"),
            (0x0401, "rsa_pkcs1_sha256"),
            (0x0403, "ecdsa_secp256r1_sha256"),
            (0x0503, "ecdsa_secp384r1_sha384"),
            (0x0603, "ecdsa_secp521r1_sha512"),
            (0x0708, "sm2sig_sm3"),
            (0x0804, "rsa_pss_rsae_sha256"),
            (0x0806, "rsa_pss_rsae_sha512"),
            (0x0807, "ed25519"),
            (0x0808, "ed448"),
            (0x0809, "rsa_pss_pss_sha256"),
            (0x081a, "ecdsa_brainpoolP256r1tls13_sha256"),
            (0x0904, "mldsa44"),
            (0x0905, "mldsa65"),
            (0x0906, "mldsa87"),
        ];
        for &(id, name) in cases {
            assert_eq!(sig_scheme_name(id), Some(name), "scheme {id:#06x}");
        }
        // TLS 1.2 pairs that are not schemes.
        for id in [0x0202, 0x0301, 0x0302, 0x0303, 0x0402, 0x0101] {
            assert_eq!(sig_scheme_name(id), None, "scheme {id:#06x}");
        }
    }

    #[test]
    fn alert_spot_checks() {
        let cases: &[(u8, &str)] = &[
            (0, "close_notify"),
            (10, "unexpected_message"),
            (20, "bad_record_mac"),
            (40, "handshake_failure"),
            (42, "bad_certificate"),
            (46, "certificate_unknown"),
            (48, "unknown_ca"),
            (70, "protocol_version"),
            (80, "internal_error"),
            (86, "inappropriate_fallback"),
            (90, "user_canceled"),
            (112, "unrecognized_name"),
            (116, "certificate_required"),
            (120, "no_application_protocol"),
            (121, "ech_required"),
        ];
        for &(d, name) in cases {
            assert_eq!(alert_name(d), Some(name), "alert {d}");
        }
        for d in [1, 11, 53, 101, 122, 255] {
            assert_eq!(alert_name(d), None, "alert {d}");
        }
    }

    #[test]
    fn version_names() {
        let cases: &[(u16, &str)] = &[
            (0x0002, "SSLv2"),
            (0x0300, "SSLv3"),
            (0x0301, "TLSv1.0"),
            (0x0302, "TLSv1.1"),
            (0x0303, "TLSv1.2"),
            (0x0304, "TLSv1.3"),
            (0xfeff, "DTLSv1.0"),
            (0xfefd, "DTLSv1.2"),
            (0xfefc, "DTLSv1.3"),
            (0x7f00, "TLSv1.3-draft0"),
            (0x7f12, "TLSv1.3-draft18"),
            (0x7f17, "TLSv1.3-draft23"),
            (0x7f1c, "TLSv1.3-draft28"),
        ];
        for &(v, name) in cases {
            assert_eq!(version_name(v), Some(name), "version {v:#06x}");
        }
        for v in [0x0000, 0x0305, 0x7f1d, 0x7eff, 0xfb1a, 0xfefe, 0x0a0a] {
            assert_eq!(version_name(v), None, "version {v:#06x}");
        }
        // Every draft entry names its own number.
        for n in 0..=28u16 {
            let name = version_name(0x7f00 | n).unwrap();
            assert_eq!(name, format!("TLSv1.3-draft{n}"));
        }
    }

    #[test]
    fn grease_values() {
        let all: Vec<u16> = (0..=u16::MAX).filter(|&v| is_grease(v)).collect();
        let expected: Vec<u16> = (0..16u16)
            .map(|i| (i << 12) | 0x0a00 | (i << 4) | 0x0a)
            .collect();
        assert_eq!(all, expected);
        assert_eq!(expected[0], 0x0a0a);
        assert_eq!(expected[15], 0xfafa);
        for v in [
            0x0a0b, 0x0b0a, 0x0a1a, 0x1a0a, 0x0a00, 0x000a, 0xabab, 0xfafb,
        ] {
            assert!(!is_grease(v), "{v:#06x}");
        }
    }

    #[test]
    fn labels() {
        assert_eq!(cipher_label(0x1301), "TLS_AES_128_GCM_SHA256");
        assert_eq!(cipher_label(0x0a0a), "GREASE(0x0a0a)");
        assert_eq!(cipher_label(0xfafa), "GREASE(0xfafa)");
        assert_eq!(cipher_label(0x0047), "0x0047");
        assert_eq!(cipher_label(0xabcd), "0xabcd");
        assert_eq!(group_label(0x11ec), "X25519MLKEM768");
        assert_eq!(group_label(0x3a3a), "GREASE(0x3a3a)");
        assert_eq!(group_label(0x0abc), "0x0abc");
        assert_eq!(extension_label(0), "server_name");
        assert_eq!(extension_label(0xdada), "GREASE(0xdada)");
        assert_eq!(extension_label(0xfe0c), "0xfe0c");
        assert_eq!(sig_scheme_label(0x0807), "ed25519");
        assert_eq!(sig_scheme_label(0x1a1a), "GREASE(0x1a1a)");
        assert_eq!(sig_scheme_label(0x0303), "0x0303");
    }

    #[test]
    fn no_table_names_grease() {
        for v in (0..=u16::MAX).filter(|&v| is_grease(v)) {
            assert_eq!(cipher_name(v), None);
            assert_eq!(group_name(v), None);
            assert_eq!(extension_name(v), None);
            assert_eq!(sig_scheme_name(v), None);
            assert_eq!(version_name(v), None);
        }
    }
}
