import ArgumentParser
import Torch

/// `--device` on every command that runs a model, with one spelling and one default.
public struct DeviceOption: ParsableArguments {
    @Option(help: "Where the model runs: cpu, cuda, cuda:N, or auto (the first GPU when libtorch sees one, else the CPU).")
    public var device: String = "cpu"

    public init() {}

    public func validate() throws {
        do { _ = try Device(parsing: device) } catch { throw ValidationError("--device \(device): use cpu, cuda, cuda:N or auto") }
    }

    public func resolve() throws -> Device { try Device(parsing: device) }
}
