using GoMicro.Payments.Providers;
using Microsoft.EntityFrameworkCore.Design;

namespace GoMicro.Payments.Infrastructure;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PaymentsDbContext>
{
    public PaymentsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PaymentsDbContext>().UseServicePostgres("Host=localhost;Database=payments").Options);
}

/// <summary>The same for the test processor's ledger (`dotnet ef migrations add … --context TestProcessorLedger`).</summary>
internal sealed class LedgerDesignTimeDbContextFactory : IDesignTimeDbContextFactory<TestProcessorLedger>
{
    public TestProcessorLedger CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<TestProcessorLedger>().UseServicePostgres("Host=localhost;Database=payments", TestProcessorLedger.Schema).Options);
}
