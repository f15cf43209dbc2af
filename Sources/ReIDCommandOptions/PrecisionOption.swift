import ArgumentParser
import Foundation
import Torch

extension Precision: ExpressibleByArgument {}

/// `--precision` on every command that runs a model (training has it as `training.precision`).
public struct PrecisionOption: ParsableArguments {
    @Option(help: "fp32, or bf16: convolutions and matrix products in bfloat16 through libtorch's CPU autocast, where the CPU runs bfloat16 natively (AVX-512 BF16 or AMX; elsewhere float32, with a message). Whether bf16 is faster depends on the CPU: `reid bench train-step --precision bf16` measures it.")
    public var precision: Precision = .fp32

    public init() {}

    /// The precision to run at on `device`, saying on stderr when bf16 falls back to fp32.
    public func resolve(on device: Device) -> Precision {
        let (chosen, note) = precision.resolved(on: device)
        if let note { FileHandle.standardError.write(Data("reid: --precision \(precision): \(note)\n".utf8)) }
        return chosen
    }
}
