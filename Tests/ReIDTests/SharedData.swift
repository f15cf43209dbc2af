import Foundation
import XCTest

/// The project's shared real data and fixtures: `$REID_SHARED`, or `../shared` next to the
/// package root. Tests that need it skip when it is absent.
enum SharedData {
    static func directory(filePath: String = #filePath) throws -> URL {
        if let env = ProcessInfo.processInfo.environment["REID_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        // Tests/ReIDTests/SharedData.swift → package root → ../shared
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let shared = root.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
        guard FileManager.default.fileExists(atPath: shared.path) else {
            throw XCTSkip("../shared not found: set REID_SHARED to the shared data directory (looked in \(shared.path))")
        }
        return shared
    }

    static func file(_ relativePath: String) throws -> String {
        let url = try directory().appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("\(url.path) not found in the shared directory")
        }
        return url.path
    }
}
