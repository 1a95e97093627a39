package symlinker

func runCp(c *cmd, args []string) bool { return false }
