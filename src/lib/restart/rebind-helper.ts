// Node cannot set SO_REUSEPORT on a listener (Node 20) and always sets SO_REUSEADDR, so the socket-option matrix is
// run by this short program under Debian's /usr/bin/python3, where each option is one setsockopt call. It leaves
// server-side TIME_WAIT on a port (the server closes first), closes or keeps the old listener, binds a new one to
// the same port and prints one JSON line per case. It reads /proc/net/tcp of its own namespace to count TIME_WAIT.
export const rebindHelperSource = String.raw`
import errno, json, socket, sys, time
host, connections, cases = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
OPTIONS = {"SO_REUSEADDR": socket.SO_REUSEADDR, "SO_REUSEPORT": socket.SO_REUSEPORT}

def listener(options):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    for name in options:
        s.setsockopt(socket.SOL_SOCKET, OPTIONS[name], 1)
    return s

def server_time_wait(port):
    with open("/proc/net/tcp") as table:
        next(table)
        return sum(1 for line in table if line.split()[3] == "06" and int(line.split()[1].split(":")[1], 16) == port)

def errno_name(error):
    return errno.errorcode.get(error.errno, str(error.errno))

for case in cases:
    old = listener(case["old"])
    old.bind((host, 0))
    port = old.getsockname()[1]
    old.listen(128)
    for _ in range(connections):
        client = socket.create_connection((host, port))
        accepted, _ = old.accept()
        accepted.close()
        client.recv(1)
        client.close()
    time.sleep(0.05)
    tw = server_time_wait(port)
    if not case["oldListening"]:
        old.close()
    new = listener(case["new"])
    bind, listen = "ok", None
    try:
        new.bind((host, port))
        try:
            new.listen(128)
            listen = "ok"
        except OSError as error:
            listen = errno_name(error)
    except OSError as error:
        bind = errno_name(error)
    new.close()
    old.close()
    print(json.dumps({"port": port, "serverTimeWait": tw, "bind": bind, "listen": listen}), flush=True)
`;

// Debian's interpreter, not the first python3 on PATH (a separate pyenv build here): setup.sh installs it.
export const systemPython = "/usr/bin/python3";
