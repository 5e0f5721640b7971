import Glibc

/// Whether this process may send ARP requests (`probe = "arp"` and the ARP half of
/// `"auto"`), and how an administrator grants it.
public enum ARPPermission {
    /// The remedy, named wherever ARP was refused (the log, `check`, `ping`).
    public static let remedy = "ARP needs CAP_NET_RAW: run nightshift as root, or grant it "
        + "(the systemd unit's AmbientCapabilities=CAP_NET_RAW, or `setcap cap_net_raw+ep /usr/bin/nightshift`)"

    /// Nil when a packet socket can be opened here; else why not, with the remedy. Opens
    /// and closes one socket: the answer follows the capabilities in force right now.
    public static func problem() -> String? {
        do {
            _ = try SocketHandle(family: AF_PACKET, type: Int32(SOCK_DGRAM.rawValue),
                                 protocol: Int32(ARPMessage.etherType.bigEndian))
            return nil
        } catch let error where error.errno == EPERM || error.errno == EACCES {
            return remedy + " (\(error.operation): \(NetSys.errorText(error.errno)))"
        } catch {
            // Another failure (no packet sockets in this kernel) is the probe's to report.
            return nil
        }
    }
}
