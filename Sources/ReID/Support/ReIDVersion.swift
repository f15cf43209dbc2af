/// The toolkit's version, shown by `reid --version` and stored in output files.
public enum ReIDVersion {
    public static let string = "0.1.0"
}
