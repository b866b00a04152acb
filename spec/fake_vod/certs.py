"""Test PKI generated with the openssl CLI (EC P-256, valid 2 days).

ca.pem (+ca.key)          test CA: basicConstraints CA:TRUE, keyUsage keyCertSign
server.pem/server.key     signed by the CA, SAN DNS:localhost, IP:127.0.0.1, DNS:127.0.0.1,
                          DNS:vod.tencentcloudapi.com, DNS:vod.intl.tencentcloudapi.com
                          (nginx checks host names with X509_check_host, which matches
                          DNS names only, so a loopback test needs the address as one;
                          the API's names let an official SDK or tccli pointed at the
                          fake with a hosts entry or a connect-to verify it)
wrong.pem/wrong.key       signed by the CA, SAN DNS:wrong-host.invalid only
untrusted.pem/.key        self-signed (not from the CA), SAN as server.pem
"""
import os
import secrets
import subprocess

OPENSSL = os.environ.get("FAKE_VOD_OPENSSL", "openssl")
DAYS = "2"

# Own config file, so the system openssl.cnf cannot add or clash with extensions.
CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = fake-vod
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = @server_names
[server_names]
DNS.1 = localhost
IP.1 = 127.0.0.1
DNS.2 = 127.0.0.1
DNS.3 = vod.tencentcloudapi.com
DNS.4 = vod.intl.tencentcloudapi.com
[wrong_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:wrong-host.invalid
[untrusted_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = @server_names
"""
NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


def _run(args, cwd):
    proc = subprocess.run([OPENSSL] + args, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], proc.stderr.strip()))


def _self_signed(name, cn, ext, cwd):
    _run(["req", "-x509", "-new"] + NEW_KEY +
         ["-keyout", name + ".key", "-out", name + ".pem", "-days", DAYS,
          "-sha256", "-subj", "/CN=" + cn, "-config", "fake_vod_openssl.cnf",
          "-extensions", ext], cwd)


def _ca_signed(name, cn, ext, cwd):
    _run(["req", "-new"] + NEW_KEY +
         ["-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn,
          "-config", "fake_vod_openssl.cnf"], cwd)
    _run(["x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
          "-set_serial", "0x" + secrets.token_hex(12), "-days", DAYS, "-sha256",
          "-extfile", "fake_vod_openssl.cnf", "-extensions", ext,
          "-out", name + ".pem"], cwd)
    os.remove(os.path.join(cwd, name + ".csr"))


def generate(directory):
    """Write all certificates and keys into directory (overwriting)."""
    cfg = os.path.join(directory, "fake_vod_openssl.cnf")
    with open(cfg, "w") as f:
        f.write(CONFIG)
    try:
        _self_signed("ca", "Fake VOD Test CA", "ca_ext", directory)
        _ca_signed("server", "localhost", "server_ext", directory)
        _ca_signed("wrong", "wrong-host.invalid", "wrong_ext", directory)
        _self_signed("untrusted", "localhost", "untrusted_ext", directory)
    finally:
        os.remove(cfg)
