public enum ReIDPlaceholder {}
