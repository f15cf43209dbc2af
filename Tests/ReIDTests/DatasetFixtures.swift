import Foundation
import XCTest
@testable import ReID
import Torch

/// Writes tiny fake datasets into a temporary folder for the loader tests.
struct DatasetFixture {
    let root: String

    init(_ name: String = "reid-data") throws {
        root = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Writes a small image (PNG or JPEG by extension) at `relative`, creating folders; its
    /// colour depends on the name so files differ.
    @discardableResult
    func image(_ relative: String, height: Int = 8, width: Int = 4) throws -> String {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let shade = UInt8(truncatingIfNeeded: relative.utf8.reduce(7) { $0 &* 31 &+ Int($1) })
        try Image(height: height, width: width, fill: shade).write(to: path)
        return path
    }

    func images(_ relatives: [String]) throws { for r in relatives { try image(r) } }

    func text(_ relative: String, _ contents: String) throws {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func folder(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }
}

/// Runs the built `reid` executable (built next to the test bundle by `swift build --build-tests`).
enum ReidBinary {
    static func url() throws -> URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("reid")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw XCTSkip("the reid binary is not built next to the tests; run `swift build --build-tests`")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = try url()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// The error's text, for message checks.
func message(of body: () throws -> Any) -> String {
    do {
        _ = try body()
        return "<no error>"
    } catch {
        return "\(error)"
    }
}
