"""The real ODK form engines of ../shared/clients/, built once into var/clients/.

JavaRosa comes from the ODK_Validate.jar inside our own pyxform wheel, so building it needs only
the JDK: nothing is downloaded.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
import pyxform

ROOT = Path(__file__).resolve().parent.parent
SHARED_CLIENTS = Path(
    __import__("os").environ.get("WAYPOINT_SHARED_CLIENTS", ROOT.parent / "shared" / "clients")
)
BUILD = ROOT / "var" / "clients"


def javarosa_jar() -> Path:
    """Build (or reuse) the JavaRosa client jar; skip with a reason when Java is absent."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        pytest.skip("a JDK (java and javac) is needed for the JavaRosa client")
    script = SHARED_CLIENTS / "javarosa" / "build.sh"
    if not script.exists():
        pytest.skip(f"the shared JavaRosa client is missing at {script}")
    out = BUILD / "javarosa"
    out.mkdir(parents=True, exist_ok=True)
    validate_jar = Path(pyxform.__file__).parent / "validators/odk_validate/bin/ODK_Validate.jar"
    if not (out / "ODK_Validate.jar").exists():
        shutil.copy(validate_jar, out / "ODK_Validate.jar")
    result = subprocess.run(
        ["bash", str(script), str(out)], capture_output=True, text=True, timeout=300, check=True
    )
    return Path(result.stdout.strip().splitlines()[-1])


def javarosa(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["java", "-jar", str(javarosa_jar()), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def web_forms_dir() -> Path:
    """Install the ODK Web Forms engine client from the npm registry (once) into var/clients."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are needed for the ODK Web Forms engine client")
    source = SHARED_CLIENTS / "web-forms-engine"
    if not source.exists():
        pytest.skip(f"the shared Web Forms client is missing at {source}")
    target = BUILD / "web-forms-engine"
    target.mkdir(parents=True, exist_ok=True)
    for name in ("fill.mjs", "package.json", "package-lock.json"):
        shutil.copy(source / name, target / name)
    stamp = target / "node_modules" / ".waypoint-installed"
    lock = (target / "package-lock.json").read_bytes()
    if not stamp.exists() or stamp.read_bytes() != lock:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=target,
            check=True,
            capture_output=True,
            timeout=600,
        )
        stamp.write_bytes(lock)
    return target


def web_forms(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    directory = web_forms_dir()
    return subprocess.run(
        ["node", str(directory / "fill.mjs"), *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
