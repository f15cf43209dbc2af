import Foundation
import XCTest
import ReIDTestSupport
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


/// The error's text, for message checks.
func message(of body: () throws -> Any) -> String {
    do {
        _ = try body()
        return "<no error>"
    } catch {
        return "\(error)"
    }
}
