import ArgumentParser
import Torch

/// `--device` on every command that runs a model, with one spelling and one default.
struct DeviceOption: ParsableArguments {
    @Option(help: "Where the model runs: cpu, cuda, cuda:N, or auto (the first GPU when libtorch sees one, else the CPU).")
    var device: String = "cpu"

    func validate() throws {
        do { _ = try Device(parsing: device) } catch { throw ValidationError("--device \(device): use cpu, cuda, cuda:N or auto") }
    }

    func resolve() throws -> Device { try Device(parsing: device) }
}
