import Foundation
import XCTest

/// `scripts/test-summary.sh` prints the closing line of `make test`; it must be true, skipped
/// tests included (it once printed "3 passed" for a run of 227 tests with one skipped).
final class TestSummaryScriptTests: XCTestCase {
    var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/test-summary.sh").path
    }

    func summary(of log: String) throws -> (status: Int32, out: String) {
        let file = NSTemporaryDirectory() + "test-summary-\(UUID().uuidString).log"
        try log.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, file]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testTheClosingLineCountsSkippedAndFailedTestsFromTheLastSummary() throws {
        let log = """
            Test Suite 'ServiceAPITests' passed at 2026-12-06 08:00:00.000.
            \t Executed 5 tests, with 0 failures (0 unexpected) in 0.120 (0.121) seconds
            Test Suite 'All tests' failed at 2026-12-06 08:00:00.000.
            \t Executed 227 tests, with 1 test skipped and 2 failures (0 unexpected) in 100.2 (100.3) seconds
            """
        XCTAssertEqual(try summary(of: log).out, "tests: 224 passed, 2 failed, 1 skipped")
        XCTAssertEqual(try summary(of: "\t Executed 1 test, with 0 failures (0 unexpected) in 0.1 (0.1) seconds\n").out,
                       "tests: 1 passed, 0 failed, 0 skipped")
        XCTAssertEqual(try summary(of: "Executed 10 tests, with 3 tests skipped and 1 failure (1 unexpected) in 1 seconds\n").out,
                       "tests: 6 passed, 1 failed, 3 skipped")
        XCTAssertNotEqual(try summary(of: "the test binary crashed\n").status, 0, "a log without a summary must not pass")
    }
}
