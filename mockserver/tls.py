"""TLS for every listener: a local certificate authority and the server's certificate.

``--tls`` serves ``wss``, ``https`` and ``grpcs``. The certificate is either the user's
(``--tls-cert``/``--tls-key``) or issued by a local CA that the emulator creates once in
its state directory (``--state-dir``, by default the user's cache directory) and reuses
afterwards, so a client trusts it once:

* ``<state>/ca/ca.pem``: the CA certificate, the file to trust (``mockserver ca``);
* ``<state>/ca/ca-key.pem``: its private key (mode 0600);
* ``<state>/ca/ca-bundle.pem``: the system's roots followed by the CA, for the variables
  that *replace* a runtime's roots (``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``,
  ``GRPC_DEFAULT_SSL_ROOTS_FILE_PATH``), so other HTTPS still works for that process;
* ``<state>/leaf-<hash>.pem``: the server's key and certificate chain for one set of names,
  reused while it is valid for more than a week.

The server certificate names ``localhost``, ``127.0.0.1``, ``::1``, every vendor's production
hostnames (their registry entries' ``hostnames``) and any ``--tls-hostname``, so a client
that keeps its vendor URL reaches the emulator once the name resolves to it (see
``docs/howto-unmodified-clients.md``).

Files are created atomically (written, then renamed), so servers starting at the same time
(pytest-xdist workers) agree on one CA. Keys are ECDSA P-256. ``cryptography`` is imported
only when a certificate is made or read.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import ipaddress
import os
import re
import shutil
import ssl
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.errors import ConfigError

__all__ = [
    "APP_NAME",
    "DEFAULT_NAMES",
    "LocalCA",
    "ServerTls",
    "default_state_dir",
    "ensure_ca",
    "resolve_state_dir",
    "server_tls",
    "subject_names",
    "trust_environment",
]

#: The folder name under the user's cache directory.
APP_NAME = "affect-mockserver"
#: Names every issued certificate carries.
DEFAULT_NAMES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")

_CA_DIR = "ca"
_CA_CERT = "ca.pem"
_CA_KEY = "ca-key.pem"
_CA_BUNDLE = "ca-bundle.pem"
_CA_DAYS = 3650
_LEAF_DAYS = 365
_LEAF_RENEW = _dt.timedelta(days=7)  # issue a new leaf when the old one expires sooner
_HOSTNAME = re.compile(r"^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_-]{1,63})*\.?$")


def default_state_dir(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> Path:
    """The user's cache directory for this application, as ``platformdirs`` would say:
    ``$XDG_CACHE_HOME/affect-mockserver`` (default ``~/.cache/...``) on Linux,
    ``~/Library/Caches/...`` on macOS, ``%LOCALAPPDATA%\\affect-mockserver\\Cache`` on
    Windows."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    home = Path(environ.get("HOME") or Path.home())
    if platform == "darwin":
        return home / "Library" / "Caches" / APP_NAME
    if platform.startswith("win"):
        local = environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(local) / APP_NAME / "Cache"
    xdg = environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".cache"
    return base / APP_NAME


def resolve_state_dir(configured: str, environ: Mapping[str, str] | None = None) -> Path:
    """The state directory: ``configured`` (``~`` expanded) or the default."""
    return Path(configured).expanduser() if configured else default_state_dir(environ)


def trust_environment(ca: LocalCA) -> dict[str, str]:
    """The environment variables that make each runtime trust the CA.

    ``NODE_EXTRA_CA_CERTS`` adds to Node's roots, so it names the CA alone; the others
    replace the roots of their runtime (OpenSSL and Python's ``ssl``, ``requests``, gRPC
    core), so they name the bundle (system roots + CA).
    """
    bundle = str(ca.bundle_file)
    return {
        "SSL_CERT_FILE": bundle,
        "REQUESTS_CA_BUNDLE": bundle,
        "NODE_EXTRA_CA_CERTS": str(ca.cert_file),
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": bundle,
    }


# -- names ----------------------------------------------------------------------------------


def subject_names(names: Iterable[str]) -> tuple[str, ...]:
    """The certificate's names: :data:`DEFAULT_NAMES` then ``names``, without duplicates
    (case-insensitive for DNS names; IP addresses in canonical form).

    Raises:
        ConfigError: A name is neither an IP address nor a host name.
    """
    out: list[str] = []
    seen: set[str] = set()
    for raw in (*DEFAULT_NAMES, *names):
        name = raw.strip().strip("[]")
        try:
            name = str(ipaddress.ip_address(name))
        except ValueError:
            if not _HOSTNAME.match(name) or len(name) > 253:
                raise ConfigError(
                    f"TLS host name {raw!r} is neither an IP address nor a host name"
                ) from None
            name = name.rstrip(".").lower()
        if name not in seen:
            seen.add(name)
            out.append(name)
    return tuple(out)


# -- the CA ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalCA:
    """The local certificate authority in a state directory."""

    directory: Path

    @property
    def cert_file(self) -> Path:
        """The CA certificate (PEM): the file a client trusts."""
        return self.directory / _CA_CERT

    @property
    def key_file(self) -> Path:
        return self.directory / _CA_KEY

    @property
    def bundle_file(self) -> Path:
        """The system's roots followed by the CA certificate (PEM)."""
        return self.directory / _CA_BUNDLE

    def fingerprint(self) -> str:
        """SHA-256 of the CA certificate (DER), as colon-separated hex."""
        der = ssl.PEM_cert_to_DER_cert(self.cert_file.read_text(encoding="ascii"))
        digest = hashlib.sha256(der).hexdigest().upper()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))

    def spki_sha256(self) -> str:
        """Base64 SHA-256 of the CA's public key (SubjectPublicKeyInfo), the form
        Chromium's ``--ignore-certificate-errors-spki-list`` takes."""
        import base64  # noqa: PLC0415  only for this rarely used form

        from cryptography import x509  # noqa: PLC0415  cryptography: only when TLS is used
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415  (same)

        cert = x509.load_pem_x509_certificate(self.cert_file.read_bytes())
        spki = cert.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


def ensure_ca(state_dir: Path) -> LocalCA:
    """The CA in ``state_dir``, created on first use (and its bundle kept current).

    Creation is atomic: the files are written in a temporary folder that is renamed to
    ``ca``; a server that loses the race uses the winner's CA.

    Raises:
        ConfigError: The state directory cannot be created or read.
    """
    ca = LocalCA(state_dir / _CA_DIR)
    try:
        if not ca.cert_file.is_file() or not ca.key_file.is_file():
            _create_ca(state_dir, ca)
        _write_bundle(ca)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the TLS state directory {state_dir}: {exc.strerror or exc} "
            "(set --state-dir or MOCKSERVER_STATE_DIR)"
        ) from None
    return ca


def _create_ca(state_dir: Path, ca: LocalCA) -> None:
    from cryptography import x509  # noqa: PLC0415  cryptography: only when TLS is used
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415  (same)
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415  (same)
    from cryptography.x509.oid import NameOID  # noqa: PLC0415  (same)

    state_dir.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = _dt.datetime.now(_dt.UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, APP_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{APP_NAME} local CA {now:%Y-%m-%d}"),
        ]
    )
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(hours=1))
        .not_valid_after(now + _dt.timedelta(days=_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(authority=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    temp = Path(tempfile.mkdtemp(prefix=".ca-", dir=state_dir))
    try:
        _write_private(temp / _CA_KEY, _key_pem(key))
        (temp / _CA_CERT).write_bytes(_cert_pem(cert))
        try:
            temp.rename(ca.directory)
        except OSError:
            if not ca.cert_file.is_file():  # not a lost race: a real error
                raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _system_roots() -> str:
    """The PEM text of the system's trusted roots ("" when none are found)."""
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and os.path.isfile(candidate):
            with contextlib.suppress(OSError, UnicodeDecodeError):
                return Path(candidate).read_text(encoding="ascii")
    return ""


def _write_bundle(ca: LocalCA) -> None:
    roots = _system_roots()
    text = (roots.rstrip("\n") + "\n" if roots else "") + ca.cert_file.read_text("ascii")
    current = ca.bundle_file.read_text("ascii") if ca.bundle_file.is_file() else None
    if current != text:
        _atomic_write(ca.bundle_file, text.encode("ascii"), mode=0o644)


# -- the server's certificate ---------------------------------------------------------------


@dataclass(frozen=True)
class ServerTls:
    """What the listeners serve: the certificate chain and key (files and PEM).

    Attributes:
        cert_file: PEM file with the certificate chain (leaf first).
        key_file: PEM file with the private key (may be ``cert_file``).
        names: The names the certificate was issued for (empty for a user's certificate).
        ca: The local CA that issued it (None for a user's certificate).
    """

    cert_file: Path
    key_file: Path
    names: tuple[str, ...]
    ca: LocalCA | None

    def server_context(self) -> ssl.SSLContext:
        """A server-side context for ``websockets`` and ``aiohttp`` (TLS 1.2+)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert_file, self.key_file, password=_no_password)
        return context

    def key_and_chain(self) -> tuple[bytes, bytes]:
        """``(private key PEM, certificate chain PEM)`` for ``grpc.ssl_server_credentials``."""
        key = _pem_blocks(self.key_file.read_bytes(), "PRIVATE KEY")
        chain = _pem_blocks(self.cert_file.read_bytes(), "CERTIFICATE")
        return key, chain


def server_tls(
    *,
    state_dir: Path,
    names: Sequence[str] = (),
    cert_file: str = "",
    key_file: str = "",
) -> ServerTls:
    """The server's certificate: the user's files, or one issued by the local CA for
    :func:`subject_names` of ``names``.

    Raises:
        ConfigError: Only one of the user's files is given, they cannot be read, or they do
            not hold a matching certificate and unencrypted key.
    """
    if cert_file or key_file:
        return _user_certificate(cert_file, key_file)
    ca = ensure_ca(state_dir)
    subjects = subject_names(names)
    digest = hashlib.sha256(
        "\n".join([ca.fingerprint(), *sorted(subjects)]).encode("utf-8")
    ).hexdigest()[:16]
    leaf = state_dir / f"leaf-{digest}.pem"
    try:
        if not _still_valid(leaf):
            _atomic_write(leaf, _issue(ca, subjects), mode=0o600)
    except OSError as exc:
        raise ConfigError(
            f"cannot write the TLS certificate {leaf}: {exc.strerror or exc}"
        ) from None
    return ServerTls(cert_file=leaf, key_file=leaf, names=subjects, ca=ca)


def _user_certificate(cert_file: str, key_file: str) -> ServerTls:
    if not cert_file or not key_file:
        given, missing = ("--tls-cert", "--tls-key") if cert_file else ("--tls-key", "--tls-cert")
        raise ConfigError(f"{given} needs {missing} too (a certificate chain and its key)")
    cert, key = Path(cert_file).expanduser(), Path(key_file).expanduser()
    for flag, path in (("--tls-cert", cert), ("--tls-key", key)):
        if not path.is_file():
            raise ConfigError(f"{flag} {path}: no such file")
    tls = ServerTls(cert_file=cert, key_file=key, names=(), ca=None)
    try:
        tls.server_context()
        tls.key_and_chain()
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(
            f"--tls-cert {cert} and --tls-key {key} are not a PEM certificate chain and its "
            f"unencrypted private key: {exc}"
        ) from None
    return tls


def _still_valid(leaf: Path) -> bool:
    if not leaf.is_file():
        return False
    from cryptography import x509  # noqa: PLC0415  cryptography: only when TLS is used

    try:
        cert = x509.load_pem_x509_certificate(_pem_blocks(leaf.read_bytes(), "CERTIFICATE"))
    except (OSError, ValueError):
        return False
    return bool(cert.not_valid_after_utc - _dt.datetime.now(_dt.UTC) > _LEAF_RENEW)


def _issue(ca: LocalCA, names: Sequence[str]) -> bytes:
    """A new key and certificate for ``names`` signed by ``ca``: key, leaf, CA (PEM)."""
    from cryptography import x509  # noqa: PLC0415  cryptography: only when TLS is used
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415  (same)
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415  (same)
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: PLC0415  (same)

    ca_cert = x509.load_pem_x509_certificate(ca.cert_file.read_bytes())
    ca_key: Any = serialization.load_pem_private_key(ca.key_file.read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    alternative: list[x509.GeneralName] = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    now = _dt.datetime.now(_dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, APP_NAME),
                    x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(hours=1))
        .not_valid_after(min(now + _dt.timedelta(days=_LEAF_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(authority=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return _key_pem(key) + _cert_pem(cert) + _cert_pem(ca_cert)


def _key_usage(*, authority: bool) -> Any:
    """Key usage of a CA (signs certificates) or of a TLS server (signs handshakes)."""
    from cryptography import x509  # noqa: PLC0415  cryptography: only when TLS is used

    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=authority,
        crl_sign=authority,
        encipher_only=False,
        decipher_only=False,
    )


# -- files ----------------------------------------------------------------------------------


def _no_password() -> bytes:
    """The password callback of ``load_cert_chain``: never prompt on the terminal."""
    raise ValueError("the private key is encrypted; give an unencrypted key")


def _key_pem(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415  cryptography

    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem


def _cert_pem(cert: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415  cryptography

    pem: bytes = cert.public_bytes(serialization.Encoding.PEM)
    return pem


def _pem_blocks(data: bytes, label: str) -> bytes:
    """The PEM blocks of ``data`` whose label ends with ``label``, in order.

    Raises:
        ValueError: There is none.
    """
    pattern = re.compile(
        rb"-----BEGIN ([A-Z ]*" + label.encode() + rb")-----.+?-----END \1-----\r?\n?", re.S
    )
    blocks = [match.group(0) for match in pattern.finditer(data)]
    if not blocks:
        raise ValueError(f"no {label} in the file")
    return b"".join(block if block.endswith(b"\n") else block + b"\n" for block in blocks)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


def _atomic_write(path: Path, data: bytes, *, mode: int) -> None:
    """Write ``data`` to a temporary file next to ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
