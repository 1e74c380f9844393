#!/usr/bin/env bash
# chain-pki.sh KEYDIR OUTDIR: the certificates of the certificate samples (tls12-chain, tls12-mtls, ...).
#
# A root CA -> intermediate CA -> leaves PKI built from the fixed, test-only keys in KEYDIR
# (scripts/samples/pki/*.key). Dates, serials and names are fixed and every issuing key is RSA
# (PKCS#1 v1.5 signatures are deterministic), so every run makes byte-identical certificates:
# the SHA-256 fingerprints documented in samples/README.md stay valid when the captures are
# regenerated. Never trust these keys for anything: they are published.
set -euo pipefail
KEYS=$(cd "$1" && pwd)
OUTD=$2
mkdir -p "$OUTD/newcerts"
cd "$OUTD"
: >index.txt
echo 2000 >serial
cat >openssl.cnf <<CNF
[ req ]
distinguished_name = dn
prompt             = no
[ dn ]
CN = placeholder
[ ca ]
default_ca = sample_ca
[ sample_ca ]
dir             = $OUTD
database        = $OUTD/index.txt
new_certs_dir   = $OUTD/newcerts
serial          = $OUTD/serial
default_md      = sha256
policy          = policy_any
unique_subject  = no
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName       = supplied
[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
[ v3_inter ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
[ v3_server ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:\${ENV::SAN}
[ v3_client ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:\${ENV::SAN}
CNF
export SAN=unused
csr() {  # csr NAME CN
    openssl req -new -key "$KEYS/$1.key" -out "$1.csr" -config openssl.cnf -subj "/O=tlscope samples/CN=$2" 2>/dev/null
}
sign() { # sign NAME ISSUER EXTENSIONS MD NOT_BEFORE NOT_AFTER [SAN]
    local name=$1 issuer=$2 ext=$3 md=$4 nb=$5 na=$6
    SAN=${7:-unused} openssl ca -batch -config openssl.cnf -cert "$issuer.pem" -keyfile "$KEYS/$issuer.key" \
        -in "$name.csr" -out "$name.pem" -notext -extensions "$ext" -md "$md" -startdate "$nb" -enddate "$na" 2>>ca.log
}
# 0x2000: root, RSA 4096, self-signed
csr root "tlscope sample root CA"
openssl ca -batch -config openssl.cnf -selfsign -keyfile "$KEYS/root.key" -in root.csr -out root.pem -notext \
    -extensions v3_root -md sha256 -startdate 20250101000000Z -enddate 20450101000000Z 2>>ca.log
# 0x2001: intermediate, RSA 2048, signed by the root
csr inter "tlscope sample intermediate CA"
sign inter root v3_inter sha256 20250101000000Z 20400101000000Z
# 0x2002..: leaves, all signed by the intermediate
csr chain  chain.example.test;  sign chain  inter v3_server sha384 20250101000000Z 20350101000000Z chain.example.test  # EC P-256
csr other  other.example.test;  sign other  inter v3_server sha256 20250101000000Z 20350101000000Z other.example.test  # RSA 2048
csr weak   weak.example.test;   sign weak   inter v3_server sha256 20250101000000Z 20350101000000Z weak.example.test   # RSA 1024
csr client client.example.test; sign client inter v3_client sha256 20250101000000Z 20350101000000Z client.example.test # EC P-384
csr pq     pq.example.test;     sign pq     inter v3_server sha256 20250101000000Z 20350101000000Z pq.example.test     # RSA 2048
# what the servers (and the mTLS client) send
for n in chain other weak client pq; do cat "$n.pem" inter.pem >"$n-chain.pem"; done   # leaf, intermediate
cat root.pem inter.pem >root-inter.pem      # s_server -cert_chain: leaf, ROOT, intermediate (out of order)
