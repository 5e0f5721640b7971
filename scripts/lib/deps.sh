# Shared by scripts/demo, scripts/test and the lab: installs the Debian packages a
# step needs when they are missing (a fresh Debian 12 machine has none of them).

# ensure_packages PKG...: apt-get install the missing ones (runs apt-get update once).
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # Debian's samba starts smbd/nmbd (and samba-ad-dc) on the real network: the tests run
  # their own smbd in a namespace (scripts/lab/bin/nas-smbd), so mask them before they exist.
  if [[ " ${missing[*]} " == *" samba "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl mask smbd.service nmbd.service samba-ad-dc.service >/dev/null 2>&1
  fi
  # The same for the fleet engines: the tests start upsd, dummy-ups, prometheus and
  # node_exporter by hand on loopback inside their namespace; none may listen on the real network.
  if [[ " ${missing[*]} " == *" nut-"* || " ${missing[*]} " == *" prometheus"* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl mask nut-server.service nut-monitor.service nut-driver.service nut-driver.target \
      nut-driver-enumerator.service nut-driver-enumerator.path prometheus.service \
      prometheus-node-exporter.service >/dev/null 2>&1
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The build needs Lua 5.4 headers and pkg-config; the tests need real peers and tools.
BUILD_PACKAGES=(liblua5.4-dev pkg-config)
TEST_PACKAGES=(iproute2 iputils-ping fping tshark chrony sntp ntpdate openssh-server openssh-client
  rsync python3 nftables time procps util-linux libcap2-bin samba smbclient
  nut-server nut-client prometheus prometheus-node-exporter)

# ensure_swift: Swift must be on PATH (the toolchain is not an apt package).
ensure_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
      [ -x "$d/swift" ] && export PATH="$d:$PATH" && return 0
    done
    echo "swift not found: install Swift 6 (https://swift.org/install) and put it on PATH" >&2
    exit 2
  fi
}
