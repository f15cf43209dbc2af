import Foundation
import XCTest
import ReIDTestSupport

/// `reid serve` hands its arguments to the `reid-serve` program next to `reid`.
extension CLITests {
    func testServeRunsTheServeProgramWithTheSameArguments() throws {
        let help = try run(["serve", "--help"])
        XCTAssertEqual(help.status, 0, help.err)
        XCTAssertTrue(help.out.contains("reid serve") && help.out.contains("--token-file") && help.out.contains("--max-pixels"),
                      help.out)
        // An argument error comes from reid-serve's own checks, named as the user typed it.
        let bad = try run(["serve", "--db", folder + "/g.sqlite", "--token-file", folder + "/t.txt", "--port", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("--port must be 1…65535"), bad.err)
    }

    func testServeWithoutTheServeProgramSaysHowToBuildIt() throws {
        let lonely = folder + "/bin/reid"
        try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try binary().path, toPath: lonely)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: lonely)
        process.arguments = ["serve", "--db", folder + "/g.sqlite", "--token-file", folder + "/t.txt"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertTrue(message.contains(folder + "/bin/reid-serve") && message.contains("make release"), message)
    }
}
