import Foundation
import Hummingbird
import HummingbirdTesting
import ReIDTestSupport
import XCTest
@testable import ReIDGallery
@testable import ReIDService
import Torch
#if canImport(Glibc)
import Glibc
#endif

/// The service on a real socket: slow clients, the web page in a real browser, and `reid serve`'s
/// own checks of its options and port.
final class LiveServiceTests: ServiceTestCase {
    override func settings() -> GalleryService.Settings {
        var s = super.settings()
        s.headerTimeout = 1
        s.bodyTimeout = 1
        return s
    }

    func testSlowClientsAreCutOffAndHealthStaysFast() async throws {
        try await service.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let port = try XCTUnwrap(client.port)
            // 50 clients that send half a request head, one that sends a head and a trickle of body.
            var sockets = try (0..<50).map { _ in try RawSocket(port: port, send: "GET /v1/health HTTP/1.1\r\nHost: x\r\n") }
            sockets.append(try RawSocket(port: port, send: "POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"))
            let started = ContinuousClock.now
            try await client.execute(uri: "/v1/health", method: .get) { r in XCTAssertEqual(r.status, .ok) }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(1), "health waited behind the slow clients")
            // Each is closed by the server within a few seconds (recv returns 0), not held open.
            for socket in sockets {
                XCTAssertTrue(socket.waitForClose(seconds: 6), "a slow connection was left open")
            }
        }
    }

    func testInjectedItemDoesNotRunAndTheTokenIsNotStored() async throws {
        guard let browser = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("chromium is not installed (apt-get install chromium); the web page was not checked in a browser")
        }
        let profile = fixture.root + "/chromium-profile"
        try await service.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let payload = "<img src=x onerror=\"document.body.setAttribute('data-xss','1')\">"
            let query = try XCTUnwrap(payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let injected = try Self.dumpDOM(browser, url: "http://127.0.0.1:\(port)/?item=\(query)#token=\(self.token)", profile: profile)
            XCTAssertTrue(injected.contains("id=\"status\""), "the page did not load: \(injected.prefix(300))")
            XCTAssertFalse(injected.contains("data-xss=\"1\""), "the injected item's script ran")
            XCTAssertFalse(injected.contains("<img src=\"x\""), "the injected item was parsed as HTML")
            // A real search through the page: results drawn, token used, and never persisted.
            let searched = try Self.dumpDOM(browser, url: "http://127.0.0.1:\(port)/?item=3#token=\(self.token)", profile: profile)
            XCTAssertTrue(searched.contains("data-done=\"true\""), "the page did not draw results: \(searched.suffix(600))")
        }
        // History and session restore files hold the visited URLs (the #token= link itself); the
        // page's own storage must not.
        for storage in ["Local Storage", "Session Storage"] {
            XCTAssertFalse(try Self.filesContain(profile + "/Default/" + storage, token),
                           "the bearer token was written to the browser's \(storage)")
        }
    }

    func testServeRefusesABadPersistIntervalAndNamesABusyPort() throws {
        let tokenFile = fixture.root + "/token.txt"
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        for bad in ["-1", "nan", "inf"] {
            let r = try ReidBinary.run(["serve", "--db", fixture.db, "--token-file", tokenFile, "--port", "1",
                                        "--persist-every", bad], timeout: 30)
            XCTAssertFalse(r.timedOut, "--persist-every \(bad) was accepted and the server kept running")
            XCTAssertNotEqual(r.status, 0)
            XCTAssertTrue(r.err.contains("--persist-every"), r.err)
        }
        let busy = try RawSocket.listener()
        defer { close(busy.fd) }
        let r = try ReidBinary.run(["serve", "--db", fixture.db, "--token-file", tokenFile, "--port", String(busy.port)],
                                   timeout: 60)
        XCTAssertFalse(r.timedOut)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("port \(busy.port)") && r.err.contains("--port"), r.err)
    }

    /// Loads `url` in headless Chromium and returns the DOM after its scripts ran.
    static func dumpDOM(_ browser: String, url: String, profile: String) throws -> String {
        let (_, data) = try ProcessOutput.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                                        "--user-data-dir=\(profile)", "--virtual-time-budget=8000", "--dump-dom", url])
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether any file below `folder` holds `text` (as Latin-1/UTF-8 or UTF-16LE bytes).
    static func filesContain(_ folder: String, _ text: String) throws -> Bool {
        let narrow = Data(text.utf8)
        let wide = Data(text.utf8.flatMap { [$0, 0] })
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return false }
        for case let name as String in walker {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
            if data.range(of: narrow) != nil || data.range(of: wide) != nil { return true }
        }
        return false
    }
}

/// A blocking TCP socket on 127.0.0.1, for clients that misbehave on purpose.
struct RawSocket {
    let fd: Int32
    var port: Int = 0

    /// Connects to `port` and sends `text`.
    init(port: Int, send text: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = RawSocket.loopback(port: 0)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        _ = text.withCString { Glibc.send(fd, $0, strlen($0), 0) }
    }

    private init(fd: Int32, port: Int) {
        self.fd = fd
        self.port = port
    }

    /// A socket listening on a free loopback port (so the port is busy for anyone else).
    static func listener() throws -> RawSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return RawSocket(fd: fd, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(port.bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Waits until the peer closes (recv returns 0 or fails); false if still open after `seconds`.
    func waitForClose(seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        defer { close(fd) }
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }
}
