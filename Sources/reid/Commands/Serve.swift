import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `reid serve` hands over to the `reid-serve` program built next to `reid`. The HTTP service
/// (Hummingbird on SwiftNIO) is a program of its own so that building `reid`, which is what
/// `make demo` waits for on a fresh machine, does not compile the web stack.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a gallery over HTTP: search by upload, add/remove crops, a web page at /.",
        discussion: """
            Runs the reid-serve program that is built next to reid (make release builds both)
            with the same arguments. `reid serve --help` lists its options.
            """,
        helpNames: []
    )

    @Argument(parsing: .captureForPassthrough, help: "The options of reid serve (see `reid serve --help`).")
    var arguments: [String] = []

    func run() throws {
        let program = try ServeProgram.path()
        var argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(program, argv)
        let reason = String(cString: strerror(errno))
        throw ValidationError("reid serve: could not run \(program): \(reason)")
    }
}

/// Where `reid-serve` is: the directory of the running `reid` (symbolic links resolved).
enum ServeProgram {
    static func path() throws -> String {
        let me = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let folder = me.resolvingSymlinksInPath().deletingLastPathComponent()
        let program = folder.appendingPathComponent("reid-serve").path
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw ValidationError("""
                reid serve needs the reid-serve program next to reid, at \(program), and it is not there.
                Build it with `make release` (or `swift build -c release --product reid-serve`; \
                `swift build` for a debug reid).
                """)
        }
        return program
    }
}
