import Foundation

/// Runs a program to its end and returns its exit status and standard output (standard error
/// is dropped), for tests that drive other programs (a browser, a Python check).
public enum ProcessOutput {
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }
}
