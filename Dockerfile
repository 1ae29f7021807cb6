# syntax=docker/dockerfile:1
# One image per service, chosen with a build argument:
#   docker build --build-arg PROJECT=GoMicro.Users -t gomicro/users .
# PROJECT is one of GoMicro.Users, GoMicro.Products, GoMicro.Basket, GoMicro.Payments
# (under services/) or GoMicro.Operator (under operator/).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled

FROM ${SDK_IMAGE} AS build
ARG PROJECT
WORKDIR /src
# Restore in its own layer: it changes only when a project file or a package version does.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig ./
COPY services/GoMicro.Protos/GoMicro.Protos.csproj services/GoMicro.Protos/
COPY services/GoMicro.ServiceDefaults/GoMicro.ServiceDefaults.csproj services/GoMicro.ServiceDefaults/
COPY services/GoMicro.Messaging/GoMicro.Messaging.csproj services/GoMicro.Messaging/
COPY services/GoMicro.Users/GoMicro.Users.csproj services/GoMicro.Users/
COPY services/GoMicro.Products/GoMicro.Products.csproj services/GoMicro.Products/
COPY services/GoMicro.Basket/GoMicro.Basket.csproj services/GoMicro.Basket/
COPY services/GoMicro.Payments/GoMicro.Payments.csproj services/GoMicro.Payments/
COPY operator/GoMicro.Operator/GoMicro.Operator.csproj operator/GoMicro.Operator/
RUN test -n "${PROJECT}" || { echo "build with --build-arg PROJECT=GoMicro.<Service>"; exit 1; } \
 && dotnet restore --use-current-runtime "$(ls services/${PROJECT}/${PROJECT}.csproj operator/${PROJECT}/${PROJECT}.csproj 2>/dev/null | head -n 1)"
COPY protos/ protos/
COPY krakend/ krakend/
# The operator embeds the alert rules and the dashboard (spec.monitoring) from here.
COPY monitoring/ monitoring/
COPY services/ services/
COPY operator/ operator/
# The apphost, renamed, is the entry point: the runtime image has no shell to expand a name.
# For the build's own runtime (the image's architecture), so the assemblies are compiled ahead
# of time (ReadyToRun, Directory.Build.targets).
RUN dotnet publish "$(ls services/${PROJECT}/${PROJECT}.csproj operator/${PROJECT}/${PROJECT}.csproj 2>/dev/null | head -n 1)" -c Release --use-current-runtime --self-contained false --no-restore -o /app \
 && mv "/app/${PROJECT}" /app/gomicro-service \
 && mkdir -p /data

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /app .
# Writable by the app user: the users service keeps a generated signing key here under compose.
COPY --from=build --chown=1654:1654 /data /var/lib/gomicro
# (The GC mode is a build setting, Directory.Build.props, so it is in each runtimeconfig.json.)
ENV ASPNETCORE_ENVIRONMENT=Production \
    Database__MigrateOnStartup=true
EXPOSE 8080 8081
# The non-root "app" user of the .NET images.
USER 1654
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 CMD ["/app/gomicro-service", "healthcheck"]
ENTRYPOINT ["/app/gomicro-service"]
