// Imported first by tests that render ink: ink draws only a final frame when it thinks it runs
// in CI (is-in-ci reads these variables when ink is first imported), which would hide every
// intermediate screen the tests look at.
delete process.env['CI'];
delete process.env['CONTINUOUS_INTEGRATION'];
